namespace WeChatHandlers.Security;

/// <summary>
/// The fixed text of the encrypted reply envelope (protocol: JSON with a numeric TimeStamp and a string Nonce; XML
/// with CDATA strings and a bare TimeStamp) and the one escaper of free text in a reply: the envelope's nonce and the
/// user ids of the transfer packet (written by the endpoint's reply renderer). Encrypt (Base64), MsgSignature (hex)
/// and TimeStamp (digits) never need escaping.
/// </summary>
internal static class ReplyText
{
    /// <summary>The text before Encrypt, MsgSignature, TimeStamp, Nonce, and after Nonce (index 0..4).</summary>
    public static ReadOnlySpan<byte> Part(WeChatFormat format, int index) => format == WeChatFormat.Json
        ? index switch
        {
            0 => "{\"Encrypt\":\""u8,
            1 => "\",\"MsgSignature\":\""u8,
            2 => "\",\"TimeStamp\":"u8,
            3 => ",\"Nonce\":\""u8,
            _ => "\"}"u8,
        }
        : index switch
        {
            0 => "<xml><Encrypt><![CDATA["u8,
            1 => "]]></Encrypt><MsgSignature><![CDATA["u8,
            2 => "]]></MsgSignature><TimeStamp>"u8,
            3 => "</TimeStamp><Nonce><![CDATA["u8,
            _ => "]]></Nonce></xml>"u8,
        };

    public static int FixedLength(WeChatFormat format) =>
        Part(format, 0).Length + Part(format, 1).Length + Part(format, 2).Length + Part(format, 3).Length + Part(format, 4).Length;

    // A "]]>" inside CDATA would end it: close the section between "]]" and ">" and open a new one.
    private static ReadOnlySpan<byte> CDataEnd => "]]>"u8;

    private static ReadOnlySpan<byte> CDataSplit => "]]]]><![CDATA[>"u8;

    /// <summary>The escaped length of a value (CDATA text in XML, string content in JSON).</summary>
    /// <exception cref="WeChatCryptoException">The nonce holds a character the XML envelope cannot carry unchanged.</exception>
    public static int EscapedLength(WeChatFormat format, ReadOnlySpan<byte> nonce)
    {
        int length = 0;
        if (format == WeChatFormat.Json)
        {
            foreach (byte b in nonce)
            {
                length += b switch
                {
                    (byte)'"' or (byte)'\\' => 2,
                    < 0x20 => 6,
                    _ => 1,
                };
            }

            return length;
        }

        foreach (byte b in nonce)
        {
            // XML 1.0 cannot carry most control characters at all, and a parser turns CR into LF: either way the
            // receiver would see a different nonce than the one signed.
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n'))
            {
                throw new WeChatCryptoException(WeChatCryptoError.GenerateReply, "A reply value contains a control character that XML cannot carry.");
            }
        }

        int i = 0;
        while (i < nonce.Length)
        {
            bool split = nonce[i..].StartsWith(CDataEnd);
            length += split ? CDataSplit.Length : 1;
            i += split ? CDataEnd.Length : 1;
        }

        return length;
    }

    /// <summary>Writes the escaped value; returns the number of bytes written.</summary>
    public static int WriteEscaped(WeChatFormat format, ReadOnlySpan<byte> nonce, Span<byte> destination)
    {
        int at = 0;
        if (format == WeChatFormat.Json)
        {
            foreach (byte b in nonce)
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    destination[at++] = (byte)'\\';
                    destination[at++] = b;
                }
                else if (b < 0x20)
                {
                    "\\u00"u8.CopyTo(destination[at..]);
                    destination[at + 4] = HexDigit(b >> 4);
                    destination[at + 5] = HexDigit(b & 0xF);
                    at += 6;
                }
                else
                {
                    destination[at++] = b;
                }
            }

            return at;
        }

        int i = 0;
        while (i < nonce.Length)
        {
            if (nonce[i..].StartsWith(CDataEnd))
            {
                CDataSplit.CopyTo(destination[at..]);
                at += CDataSplit.Length;
                i += CDataEnd.Length;
            }
            else
            {
                destination[at++] = nonce[i++];
            }
        }

        return at;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
