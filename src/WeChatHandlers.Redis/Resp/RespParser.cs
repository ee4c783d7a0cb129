using System.Buffers.Text;
using System.Text;

namespace WeChatHandlers.Redis.Resp;

/// <summary>Reads RESP2 scalar replies (status, error, integer, bulk string, null) from received bytes.</summary>
internal static class RespParser
{
    /// <summary>The longest bulk value read; a longer one is a protocol error (no dedupe value comes close).</summary>
    public const int MaxBulkLength = 1 << 20;

    /// <summary>
    /// Reads one reply from the start of <paramref name="data"/>: false when it is not all there yet. Throws
    /// <see cref="InvalidDataException"/> on bytes that are not a RESP2 scalar reply.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out RespReply reply, out int consumed)
    {
        reply = default;
        consumed = 0;
        int lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            if (data.Length > 64 * 1024)
            {
                throw new InvalidDataException("A Redis reply line is longer than 64 KB.");
            }

            return false;
        }

        if (lineEnd < 2 || data[lineEnd - 1] != '\r')
        {
            throw new InvalidDataException("A Redis reply line does not end with CRLF.");
        }

        var line = data[1..(lineEnd - 1)];
        int next = lineEnd + 1;
        switch (data[0])
        {
            case (byte)'+':
                reply = new RespReply(RespKind.Status, 0, null);
                break;
            case (byte)'-':
                reply = new RespReply(RespKind.Error, 0, Encoding.UTF8.GetString(line));
                break;
            case (byte)':':
                reply = new RespReply(RespKind.Integer, ParseInteger(line), null);
                break;
            case (byte)'$':
            case (byte)'*':
                long length = ParseInteger(line);
                if (length == -1)
                {
                    reply = new RespReply(RespKind.Null, 0, null);
                    break;
                }

                if (data[0] == '*' || length < 0 || length > MaxBulkLength)
                {
                    throw new InvalidDataException("A Redis reply is an array or an oversized bulk string; the dedupe commands expect neither.");
                }

                if (data.Length - next < length + 2)
                {
                    return false;
                }

                var value = data.Slice(next, (int)length);
                if (data[next + (int)length] != '\r' || data[next + (int)length + 1] != '\n')
                {
                    throw new InvalidDataException("A Redis bulk reply does not end with CRLF.");
                }

                reply = new RespReply(RespKind.Bulk, 0, Encoding.UTF8.GetString(value));
                next += (int)length + 2;
                break;
            default:
                throw new InvalidDataException($"A Redis reply starts with 0x{data[0]:X2}, which RESP2 does not define.");
        }

        consumed = next;
        return true;
    }

    private static long ParseInteger(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out long value, out int used) && used == text.Length
            ? value
            : throw new InvalidDataException("A Redis reply carries a malformed integer.");
}
