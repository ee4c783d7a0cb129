using System.Buffers;
using System.Buffers.Text;
using System.Text;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// Writes the <c>transfer_customer_service</c> packet in the push's format (protocol.md §5.6), with the same fixed text
/// and the same escaper (<c>ReplyText</c>) as the encrypted reply envelope that may wrap it.
/// </summary>
public static class WeChatReplyRenderer
{
    /// <summary>
    /// Writes the transfer packet. <paramref name="toUser"/> is the user's OpenID (the push's FromUserName) and
    /// <paramref name="fromUser"/> the mini program's original id (the push's ToUserName): the direction is swapped.
    /// </summary>
    /// <exception cref="WeChatCryptoException">A value holds a control character that XML cannot carry (<see cref="WeChatCryptoError.GenerateReply"/>).</exception>
    public static void WriteTransfer(IBufferWriter<byte> output, WeChatFormat format, string toUser, string fromUser, long createTime)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(toUser);
        ArgumentNullException.ThrowIfNull(fromUser);
        bool json = format == WeChatFormat.Json;
        Write(output, json ? "{\"ToUserName\":\""u8 : "<xml><ToUserName><![CDATA["u8);
        WriteEscaped(output, format, toUser);
        Write(output, json ? "\",\"FromUserName\":\""u8 : "]]></ToUserName><FromUserName><![CDATA["u8);
        WriteEscaped(output, format, fromUser);
        Write(output, json ? "\",\"CreateTime\":"u8 : "]]></FromUserName><CreateTime>"u8);
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(createTime, span, out int written);
        output.Advance(written);
        Write(output, json
            ? ",\"MsgType\":\"transfer_customer_service\"}"u8
            : "</CreateTime><MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>"u8);
    }

    private static void WriteEscaped(IBufferWriter<byte> output, WeChatFormat format, string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        int length = ReplyText.EscapedLength(format, utf8);
        int written = ReplyText.WriteEscaped(format, utf8, output.GetSpan(length));
        output.Advance(written);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
