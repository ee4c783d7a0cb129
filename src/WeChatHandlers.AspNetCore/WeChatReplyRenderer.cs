using System.Buffers;
using System.Text;
using System.Text.Json;

namespace WeChatHandlers.AspNetCore;

/// <summary>Writes the <c>transfer_customer_service</c> packet in the push's format (protocol.md §5.6).</summary>
public static class WeChatReplyRenderer
{
    /// <summary>
    /// Writes the transfer packet. <paramref name="toUser"/> is the user's OpenID (the push's FromUserName) and
    /// <paramref name="fromUser"/> the mini program's original id (the push's ToUserName): the direction is swapped.
    /// </summary>
    public static void WriteTransfer(IBufferWriter<byte> output, WeChatFormat format, string toUser, string fromUser, long createTime)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (format == WeChatFormat.Json)
        {
            using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            json.WriteString("ToUserName"u8, toUser);
            json.WriteString("FromUserName"u8, fromUser);
            json.WriteNumber("CreateTime"u8, createTime);
            json.WriteString("MsgType"u8, "transfer_customer_service"u8);
            json.WriteEndObject();
            return;
        }

        Write(output, "<xml><ToUserName>"u8);
        WriteCData(output, toUser);
        Write(output, "</ToUserName><FromUserName>"u8);
        WriteCData(output, fromUser);
        Write(output, "</FromUserName><CreateTime>"u8);
        Write(output, Encoding.ASCII.GetBytes(createTime.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Write(output, "</CreateTime><MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>"u8);
    }

    private static void WriteCData(IBufferWriter<byte> output, string value)
    {
        // "]]>" cannot appear inside one CDATA section: close and reopen around it.
        Write(output, "<![CDATA["u8);
        Write(output, Encoding.UTF8.GetBytes(value.Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal)));
        Write(output, "]]>"u8);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
