using System.Globalization;
using System.Text;

namespace WeChatHandlers.Redis.Resp;

/// <summary>
/// One argument of a Redis command, written as a RESP bulk string: text (optionally two parts written as one, so that a
/// key prefix is not concatenated per call), or a number (optionally after a one-character tag, as in <c>L42</c>).
/// </summary>
internal readonly struct RespArg
{
    private readonly string? _text;
    private readonly string? _suffix;
    private readonly byte[]? _encoded;
    private readonly long _number;
    private readonly char _tag;

    private RespArg(string? text, string? suffix, long number, char tag)
    {
        _text = text;
        _suffix = suffix;
        _number = number;
        _tag = tag;
    }

    private RespArg(byte[] encoded) => _encoded = encoded;

    /// <summary>The words every push sends, encoded once.</summary>
    public static readonly RespArg Set = Encoded("SET"), Get = Encoded("GET"), PX = Encoded("PX"), NX = Encoded("NX"), Done = Encoded("D");

    public static implicit operator RespArg(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null, 0, '\0');

    public static implicit operator RespArg(long number) => new(null, null, number, '\0');

    /// <summary>Two strings written as one argument.</summary>
    public static RespArg Concat(string text, string suffix) => new(text, suffix, 0, '\0');

    /// <summary>A number after an ASCII tag character.</summary>
    public static RespArg Tagged(char tag, long number) => new(null, null, number, tag);

    /// <summary>An ASCII word written as a bulk string, encoded once (for constants).</summary>
    public static RespArg Encoded(string word)
    {
        var plain = new RespArg(word, null, 0, '\0');
        var encoded = new byte[plain.MaxLength];
        Array.Resize(ref encoded, plain.Write(encoded));
        return new RespArg(encoded);
    }

    /// <summary>The most bytes <see cref="Write"/> writes for this argument, its header and line ends included.</summary>
    public int MaxLength => _encoded is not null
        ? _encoded.Length
        : _text is null
            ? 1 + 20 + 16
            : Encoding.UTF8.GetMaxByteCount(_text.Length + (_suffix?.Length ?? 0)) + 16;

    /// <summary>Writes <c>$len\r\ncontent\r\n</c> and returns the bytes written; <paramref name="destination"/> holds <see cref="MaxLength"/>.</summary>
    public int Write(Span<byte> destination)
    {
        if (_encoded is not null)
        {
            _encoded.CopyTo(destination);
            return _encoded.Length;
        }

        Span<byte> number = stackalloc byte[24];
        scoped ReadOnlySpan<byte> content;
        int contentLength;
        if (_text is null)
        {
            int start = 0;
            if (_tag != '\0')
            {
                number[0] = (byte)_tag;
                start = 1;
            }

            _number.TryFormat(number[start..], out int digits, default, CultureInfo.InvariantCulture);
            content = number[..(start + digits)];
            contentLength = content.Length;
        }
        else
        {
            content = default;
            contentLength = Encoding.UTF8.GetByteCount(_text) + (_suffix is null ? 0 : Encoding.UTF8.GetByteCount(_suffix));
        }

        destination[0] = (byte)'$';
        contentLength.TryFormat(destination[1..], out int headerDigits, default, CultureInfo.InvariantCulture);
        int at = 1 + headerDigits;
        destination[at++] = (byte)'\r';
        destination[at++] = (byte)'\n';
        if (_text is null)
        {
            content.CopyTo(destination[at..]);
            at += contentLength;
        }
        else
        {
            at += Encoding.UTF8.GetBytes(_text, destination[at..]);
            if (_suffix is not null)
            {
                at += Encoding.UTF8.GetBytes(_suffix, destination[at..]);
            }
        }

        destination[at++] = (byte)'\r';
        destination[at++] = (byte)'\n';
        return at;
    }
}
