using WeChatHandlers.Tests;

namespace WeChatHandlers.Benchmarks;

/// <summary>The seed's four packets, as the byte arrays an HTTP body hands over.</summary>
public enum Packet
{
    Text,
    Image,
    MiniProgramPage,
    EnterSession,
}

public static class Packets
{
    /// <summary>The text packet with Content <c>ping</c>, routed to the handler that takes only <see cref="WeChatContext"/>.</summary>
    public const string PingXml =
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ping]]></Content><MsgId>1234567890123456</MsgId></xml>";

    public const string PingJson =
        """{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"text","Content":"ping","MsgId":1234567890123456}""";

    public static byte[] Xml(Packet packet) => SeedPackets.Utf8(packet switch
    {
        Packet.Text => SeedPackets.TextXml,
        Packet.Image => SeedPackets.ImageXml,
        Packet.MiniProgramPage => SeedPackets.MiniProgramPageXml,
        Packet.EnterSession => SeedPackets.EnterSessionXml,
        _ => throw new ArgumentOutOfRangeException(nameof(packet)),
    });

    public static byte[] Json(Packet packet) => SeedPackets.Utf8(packet switch
    {
        Packet.Text => SeedPackets.TextJson,
        Packet.Image => SeedPackets.ImageJson,
        Packet.MiniProgramPage => SeedPackets.MiniProgramPageJson,
        Packet.EnterSession => SeedPackets.EnterSessionJson,
        _ => throw new ArgumentOutOfRangeException(nameof(packet)),
    });
}
