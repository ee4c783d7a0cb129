using System.Globalization;
using System.Xml;

namespace WeChatHandlers.Benchmarks.Baselines;

/// <summary>
/// The hand-written streaming parser: an <see cref="XmlReader"/> over the body bytes, a switch on element names
/// filling the entity. Settings are cached and DTDs prohibited, as a careful hand-written reader would do.
/// </summary>
public static class XmlReaderSwitch
{
    private static readonly XmlReaderSettings s_settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        XmlResolver = null,
    };

    public static void Dispatch(byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        using var reader = XmlReader.Create(stream, s_settings);
        var m = new PushEntity();
        reader.MoveToContent();
        reader.ReadStartElement("xml");
        while (reader.NodeType == XmlNodeType.Element)
        {
            string name = reader.LocalName;
            string value = reader.ReadElementContentAsString();
            switch (name)
            {
                case "ToUserName": m.ToUserName = value; break;
                case "FromUserName": m.FromUserName = value; break;
                case "CreateTime": m.CreateTime = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "MsgType": m.MsgType = value; break;
                case "Content": m.Content = value; break;
                case "MsgId": m.MsgId = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "PicUrl": m.PicUrl = value; break;
                case "MediaId": m.MediaId = value; break;
                case "Title": m.Title = value; break;
                case "AppId": m.AppId = value; break;
                case "PagePath": m.PagePath = value; break;
                case "ThumbUrl": m.ThumbUrl = value; break;
                case "ThumbMediaId": m.ThumbMediaId = value; break;
                case "Event": m.Event = value; break;
                case "SessionFrom": m.SessionFrom = value; break;
            }
        }

        PushEntity.Dispatch(m);
    }
}
