namespace WeChatHandlers.Payloads;

/// <summary>The top-level fields the readers index in one pass. Any other field is reachable through <see cref="WeChatPayload.GetField(string)"/>.</summary>
public enum WeChatField : byte
{
    /// <summary><c>ToUserName</c>: the mini program's original id.</summary>
    ToUserName,

    /// <summary><c>FromUserName</c>: the user's OpenID.</summary>
    FromUserName,

    /// <summary><c>CreateTime</c>: Unix seconds.</summary>
    CreateTime,

    /// <summary><c>MsgType</c>.</summary>
    MsgType,

    /// <summary><c>Event</c>.</summary>
    Event,

    /// <summary><c>MsgId</c>.</summary>
    MsgId,

    /// <summary><c>Content</c> (text).</summary>
    Content,

    /// <summary><c>PicUrl</c> (image).</summary>
    PicUrl,

    /// <summary><c>MediaId</c> (image).</summary>
    MediaId,

    /// <summary><c>Title</c> (mini program card).</summary>
    Title,

    /// <summary><c>AppId</c> (mini program card).</summary>
    AppId,

    /// <summary><c>PagePath</c> (mini program card).</summary>
    PagePath,

    /// <summary><c>ThumbUrl</c> (mini program card).</summary>
    ThumbUrl,

    /// <summary><c>ThumbMediaId</c> (mini program card).</summary>
    ThumbMediaId,

    /// <summary><c>SessionFrom</c> (<c>user_enter_tempsession</c>).</summary>
    SessionFrom,

    /// <summary><c>Encrypt</c> (safe and compatibility mode envelopes).</summary>
    Encrypt,
}
