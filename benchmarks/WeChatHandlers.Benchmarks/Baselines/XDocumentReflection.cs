using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace WeChatHandlers.Benchmarks.Baselines;

// The approach of the most used .NET SDK (Senparc.Weixin): load an XDocument, pick the entity class from MsgType
// (and Event) with Enum.Parse, then fill it by walking its PropertyInfos, converting each element's text by the
// property's type name, and dispatch with a switch on the message kind. No caching of properties: that SDK asks
// the type for them on every message, and so does this port.

public enum XdRequestMsgType
{
    Text,
    Image,
    MiniProgramPage,
    Event,
}

public enum XdEvent
{
    User_Enter_TempSession,
}

public abstract class XdRequestMessageBase
{
    public string ToUserName { get; set; } = string.Empty;

    public string FromUserName { get; set; } = string.Empty;

    public DateTimeOffset CreateTime { get; set; }

    public abstract XdRequestMsgType MsgType { get; }
}

public sealed class XdRequestMessageText : XdRequestMessageBase
{
    public override XdRequestMsgType MsgType => XdRequestMsgType.Text;

    public string Content { get; set; } = string.Empty;

    public long MsgId { get; set; }
}

public sealed class XdRequestMessageImage : XdRequestMessageBase
{
    public override XdRequestMsgType MsgType => XdRequestMsgType.Image;

    public string PicUrl { get; set; } = string.Empty;

    public string MediaId { get; set; } = string.Empty;

    public long MsgId { get; set; }
}

public sealed class XdRequestMessageMiniProgramPage : XdRequestMessageBase
{
    public override XdRequestMsgType MsgType => XdRequestMsgType.MiniProgramPage;

    public long MsgId { get; set; }

    public string Title { get; set; } = string.Empty;

    public string AppId { get; set; } = string.Empty;

    public string PagePath { get; set; } = string.Empty;

    public string ThumbUrl { get; set; } = string.Empty;

    public string ThumbMediaId { get; set; } = string.Empty;
}

public sealed class XdRequestMessageEventUserEnterTempSession : XdRequestMessageBase
{
    public override XdRequestMsgType MsgType => XdRequestMsgType.Event;

    public XdEvent Event => XdEvent.User_Enter_TempSession;

    public string SessionFrom { get; set; } = string.Empty;
}

public static class XDocumentReflection
{
    public static void Dispatch(byte[] body)
    {
        var doc = XDocument.Parse(Encoding.UTF8.GetString(body));
        var message = CreateEntity(doc);
        FillEntityWithXml(message, doc);
        switch (message.MsgType)
        {
            case XdRequestMsgType.Text:
                OnText((XdRequestMessageText)message);
                break;
            case XdRequestMsgType.Image:
                OnImage((XdRequestMessageImage)message);
                break;
            case XdRequestMsgType.MiniProgramPage:
                OnPage((XdRequestMessageMiniProgramPage)message);
                break;
            case XdRequestMsgType.Event:
                OnEnter((XdRequestMessageEventUserEnterTempSession)message);
                break;
        }
    }

    private static XdRequestMessageBase CreateEntity(XDocument doc)
    {
        var root = doc.Root ?? throw new FormatException("no root");
        var msgType = Enum.Parse<XdRequestMsgType>(root.Element("MsgType")!.Value, ignoreCase: true);
        return msgType switch
        {
            XdRequestMsgType.Text => new XdRequestMessageText(),
            XdRequestMsgType.Image => new XdRequestMessageImage(),
            XdRequestMsgType.MiniProgramPage => new XdRequestMessageMiniProgramPage(),
            XdRequestMsgType.Event => Enum.Parse<XdEvent>(root.Element("Event")!.Value, ignoreCase: true) switch
            {
                XdEvent.User_Enter_TempSession => new XdRequestMessageEventUserEnterTempSession(),
                _ => throw new FormatException("unknown event"),
            },
            _ => throw new FormatException("unknown type"),
        };
    }

    private static void FillEntityWithXml(object entity, XDocument doc)
    {
        var root = doc.Root!;
        foreach (var prop in entity.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var element = root.Element(prop.Name);
            if (element is null || !prop.CanWrite)
            {
                continue;
            }

            switch (prop.PropertyType.Name)
            {
                case "DateTimeOffset":
                    prop.SetValue(entity, DateTimeOffset.FromUnixTimeSeconds(long.Parse(element.Value, CultureInfo.InvariantCulture)));
                    break;
                case "DateTime":
                    prop.SetValue(entity, DateTimeOffset.FromUnixTimeSeconds(long.Parse(element.Value, CultureInfo.InvariantCulture)).UtcDateTime);
                    break;
                case "Int32":
                    prop.SetValue(entity, int.Parse(element.Value, CultureInfo.InvariantCulture));
                    break;
                case "Int64":
                    prop.SetValue(entity, long.Parse(element.Value, CultureInfo.InvariantCulture));
                    break;
                case "Boolean":
                    prop.SetValue(entity, element.Value == "1" || bool.Parse(element.Value));
                    break;
                case "String":
                    prop.SetValue(entity, element.Value);
                    break;
                default:
                    if (prop.PropertyType.IsEnum)
                    {
                        prop.SetValue(entity, Enum.Parse(prop.PropertyType, element.Value, ignoreCase: true));
                    }
                    else
                    {
                        prop.SetValue(entity, Convert.ChangeType(element.Value, prop.PropertyType, CultureInfo.InvariantCulture));
                    }

                    break;
            }
        }
    }

    private static void OnText(XdRequestMessageText m) => Sink.Take(m.ToUserName, m.FromUserName, m.Content, m.CreateTime.ToUnixTimeSeconds() + m.MsgId);

    private static void OnImage(XdRequestMessageImage m) => Sink.Take(m.ToUserName, m.FromUserName, m.MediaId, m.CreateTime.ToUnixTimeSeconds() + m.MsgId);

    private static void OnPage(XdRequestMessageMiniProgramPage m) => Sink.Take(m.ToUserName, m.FromUserName, m.PagePath, m.CreateTime.ToUnixTimeSeconds() + m.MsgId);

    private static void OnEnter(XdRequestMessageEventUserEnterTempSession m) => Sink.Take(m.ToUserName, m.FromUserName, m.SessionFrom, m.CreateTime.ToUnixTimeSeconds());
}
