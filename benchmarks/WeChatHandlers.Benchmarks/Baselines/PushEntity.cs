using System.Xml.Serialization;

namespace WeChatHandlers.Benchmarks.Baselines;

/// <summary>
/// One entity with every field of the four seed packets, for the serializer baselines. A serializer must know the
/// type before it reads, and SKIT's documented flow therefore deserializes twice (a base event for MsgType, then the
/// typed event); one pass into one entity is the cheaper way to use XmlSerializer and System.Text.Json, so the
/// comparison flatters the baselines rather than us.
/// </summary>
[XmlRoot("xml")]
public sealed class PushEntity
{
    public string? ToUserName { get; set; }

    public string? FromUserName { get; set; }

    public long CreateTime { get; set; }

    public string? MsgType { get; set; }

    public string? Content { get; set; }

    public long MsgId { get; set; }

    public string? PicUrl { get; set; }

    public string? MediaId { get; set; }

    public string? Title { get; set; }

    public string? AppId { get; set; }

    public string? PagePath { get; set; }

    public string? ThumbUrl { get; set; }

    public string? ThumbMediaId { get; set; }

    public string? Event { get; set; }

    public string? SessionFrom { get; set; }

    /// <summary>The handler switch every serializer baseline ends with: on MsgType, then Event, as user code writes it.</summary>
    public static void Dispatch(PushEntity m)
    {
        switch (m.MsgType)
        {
            case "text":
                Sink.Take(m.ToUserName, m.FromUserName, m.Content, m.CreateTime + m.MsgId);
                break;
            case "image":
                Sink.Take(m.ToUserName, m.FromUserName, m.MediaId, m.CreateTime + m.MsgId);
                break;
            case "miniprogrampage":
                Sink.Take(m.ToUserName, m.FromUserName, m.PagePath, m.CreateTime + m.MsgId);
                break;
            case "event":
                switch (m.Event)
                {
                    case "user_enter_tempsession":
                        Sink.Take(m.ToUserName, m.FromUserName, m.SessionFrom, m.CreateTime);
                        break;
                }

                break;
        }
    }
}
