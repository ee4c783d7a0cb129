namespace WeChatHandlers.Payloads;

/// <summary>Maps a field name's UTF-8 bytes to its <see cref="WeChatField"/> slot: length first, then the bytes.</summary>
internal static class FieldNames
{
    public static int Match(ReadOnlySpan<byte> name) => name.Length switch
    {
        5 => name.SequenceEqual("Event"u8) ? (int)WeChatField.Event
            : name.SequenceEqual("MsgId"u8) ? (int)WeChatField.MsgId
            : name.SequenceEqual("Title"u8) ? (int)WeChatField.Title
            : name.SequenceEqual("AppId"u8) ? (int)WeChatField.AppId
            : -1,
        6 => name.SequenceEqual("PicUrl"u8) ? (int)WeChatField.PicUrl : -1,
        7 => name.SequenceEqual("MsgType"u8) ? (int)WeChatField.MsgType
            : name.SequenceEqual("Content"u8) ? (int)WeChatField.Content
            : name.SequenceEqual("MediaId"u8) ? (int)WeChatField.MediaId
            : name.SequenceEqual("Encrypt"u8) ? (int)WeChatField.Encrypt
            : -1,
        8 => name.SequenceEqual("PagePath"u8) ? (int)WeChatField.PagePath
            : name.SequenceEqual("ThumbUrl"u8) ? (int)WeChatField.ThumbUrl
            : -1,
        10 => name.SequenceEqual("ToUserName"u8) ? (int)WeChatField.ToUserName
            : name.SequenceEqual("CreateTime"u8) ? (int)WeChatField.CreateTime
            : -1,
        11 => name.SequenceEqual("SessionFrom"u8) ? (int)WeChatField.SessionFrom : -1,
        12 => name.SequenceEqual("FromUserName"u8) ? (int)WeChatField.FromUserName
            : name.SequenceEqual("ThumbMediaId"u8) ? (int)WeChatField.ThumbMediaId
            : -1,
        _ => -1,
    };
}
