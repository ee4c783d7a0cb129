using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace WeChatHandlers.Payloads;

/// <summary>
/// One plaintext push, scanned once: a table of top-level field slices over the payload bytes.
/// A value type that holds no managed memory of its own; strings are created only when asked for.
/// The payload bytes must stay unchanged while the value is in use.
/// </summary>
public readonly struct WeChatPayload
{
    private readonly FieldTable _fields;

    // Every push carries these two integers and every binder reads them: parsed once, while scanning.
    private readonly long _createTime;
    private readonly long _msgId;

    // The root's extent: XML, the content of <xml>; JSON, from the opening brace to the end.
    private readonly int _rootStart;
    private readonly int _rootEnd;

    private WeChatPayload(ReadOnlyMemory<byte> data, WeChatFormat format, in FieldTable fields, int rootStart, int rootEnd)
    {
        Data = data;
        Format = format;
        _fields = fields;
        _rootStart = rootStart;
        _rootEnd = rootEnd;
        var span = data.Span;
        _createTime = ParseInteger(span, fields[(int)WeChatField.CreateTime], WeChatField.CreateTime);
        _msgId = ParseInteger(span, fields[(int)WeChatField.MsgId], WeChatField.MsgId);
    }

    /// <summary>The plaintext payload bytes (UTF-8).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The payload's format.</summary>
    public WeChatFormat Format { get; }

    /// <summary>
    /// Scans one push (XML or JSON, sniffed from the first non-whitespace byte after an optional BOM). A push must
    /// carry ToUserName, FromUserName, CreateTime and MsgType, and Event when MsgType is <c>event</c>.
    /// </summary>
    /// <exception cref="WeChatPayloadException">The payload is malformed or lacks a header; the message says what and where.</exception>
    public static WeChatPayload Parse(ReadOnlyMemory<byte> utf8)
    {
        var payload = Scan(utf8, out int start);
        payload.RequireMessageHeaders(start);
        return payload;
    }

    /// <summary>
    /// Scans a safe-mode or compatibility-mode envelope, or an encrypted reply envelope: the same well-formedness
    /// rules as <see cref="Parse(ReadOnlyMemory{byte})"/>, without the message headers (an envelope carries
    /// ToUserName and Encrypt; the message inside is checked when its plaintext is parsed).
    /// </summary>
    /// <exception cref="WeChatPayloadException">The payload is malformed; the message says what and where.</exception>
    public static WeChatPayload ParseEnvelope(ReadOnlyMemory<byte> utf8) => Scan(utf8, out _);

    // A header that is present but empty (or only whitespace) names nothing: it counts as missing.
    private void RequireMessageHeaders(int start)
    {
        var missing = !HasText(WeChatField.ToUserName) ? "ToUserName"
            : !HasText(WeChatField.FromUserName) ? "FromUserName"
            : !HasText(WeChatField.CreateTime) ? "CreateTime"
            : !HasText(WeChatField.MsgType) ? "MsgType"
            : !HasText(WeChatField.Event) && ValueEquals(WeChatField.MsgType, "event"u8) ? "Event"
            : null;
        if (missing is not null)
        {
            throw new WeChatPayloadException($"The push has no {missing}", start);
        }
    }

    private static WeChatPayload Scan(ReadOnlyMemory<byte> utf8, out int start)
    {
        var span = utf8.Span;
        var format = DetectFormat(span, out start);
        int documentStart = span.StartsWith("\uFEFF"u8) ? 3 : 0;
        if (!System.Text.Unicode.Utf8.IsValid(span))
        {
            throw new WeChatPayloadException("The payload is not valid UTF-8", InvalidUtf8Offset(span));
        }

        var table = default(FieldTable);
        int rootStart = start, rootEnd = span.Length;
        if (format == WeChatFormat.Xml)
        {
            XmlPayloadReader.Scan(span, start, documentStart, ref table, out rootStart, out rootEnd);
        }
        else
        {
            JsonPayloadReader.Scan(span, start, ref table);
        }

        return new WeChatPayload(utf8, format, table, rootStart, rootEnd);
    }

    /// <summary>Sniffs the format: <c>&lt;</c> means XML, <c>{</c> means JSON, after an optional UTF-8 BOM and whitespace.</summary>
    /// <exception cref="WeChatPayloadException">The payload is empty or starts with anything else.</exception>
    public static WeChatFormat DetectFormat(ReadOnlySpan<byte> utf8) => DetectFormat(utf8, out _);

    internal static WeChatFormat DetectFormat(ReadOnlySpan<byte> utf8, out int start)
    {
        int i = utf8.StartsWith("\uFEFF"u8) ? 3 : 0;
        while (i < utf8.Length && IsWhitespace(utf8[i]))
        {
            i++;
        }

        start = i;
        if (i == utf8.Length)
        {
            throw new WeChatPayloadException("The payload is empty", i);
        }

        return utf8[i] switch
        {
            (byte)'<' => WeChatFormat.Xml,
            (byte)'{' => WeChatFormat.Json,
            _ => throw new WeChatPayloadException($"The payload is neither XML nor a JSON object: it starts with byte 0x{utf8[i]:X2}", i),
        };
    }

    private static int InvalidUtf8Offset(ReadOnlySpan<byte> utf8)
    {
        int i = 0;
        while (i < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[i..], out _, out int consumed) != OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return i;
    }

    internal static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    /// <summary>Whether the field is present (a JSON <c>null</c> counts as absent).</summary>
    public bool Contains(WeChatField field) => _fields[(int)field].Kind != SlotKind.Absent;

    private bool HasText(WeChatField field)
    {
        var slot = _fields[(int)field];
        return slot.Kind != SlotKind.Absent && !IsBlank(Data.Span.Slice(slot.Start, slot.Length), slot.Kind);
    }

    /// <summary>Whether a value is empty or only whitespace once decoded (<c>&amp;#32;</c>, <c>"\u0020"</c>, a comment).</summary>
    internal static bool IsBlank(ReadOnlySpan<byte> raw, SlotKind kind)
    {
        if (kind == SlotKind.Raw)
        {
            return TrimWhitespace(raw).IsEmpty;
        }

        // Decoding never lengthens; a value that does not fit the scratch is long enough to hold a character.
        Span<byte> scratch = stackalloc byte[64];
        int n = Decode(raw, kind, scratch, out bool complete);
        return complete && TrimWhitespace(scratch[..n]).IsEmpty;
    }

    /// <summary>
    /// The field's UTF-8 value. When the value is stored as it is, returns a slice of <see cref="Data"/> and
    /// <paramref name="complete"/> is <see langword="true"/>. When it must be decoded (entities, escapes, split CDATA),
    /// decodes at most <paramref name="scratch"/>.Length bytes into <paramref name="scratch"/> and sets
    /// <paramref name="complete"/> to whether the whole value fit. An absent field is empty and complete.
    /// </summary>
    public ReadOnlySpan<byte> GetUtf8(WeChatField field, Span<byte> scratch, out bool complete)
    {
        var slot = _fields[(int)field];
        var raw = Data.Span.Slice(slot.Start, slot.Length);
        switch (slot.Kind)
        {
            case SlotKind.Absent:
                complete = true;
                return default;
            case SlotKind.Raw:
                complete = true;
                return raw;
            default:
                int written = Decode(raw, slot.Kind, scratch, out complete);
                return scratch[..written];
        }
    }

    /// <summary>Whether the field's decoded value equals <paramref name="utf8"/> (ordinal). Absent equals empty.</summary>
    public bool ValueEquals(WeChatField field, ReadOnlySpan<byte> utf8)
    {
        var slot = _fields[(int)field];
        if (slot.Kind is SlotKind.Absent or SlotKind.Raw)
        {
            return Data.Span.Slice(slot.Start, slot.Length).SequenceEqual(utf8);
        }

        return DecodedEquals(slot, utf8, prefix: false);
    }

    /// <summary>Whether the field's decoded value starts with <paramref name="utf8"/> (ordinal).</summary>
    public bool ValueStartsWith(WeChatField field, ReadOnlySpan<byte> utf8)
    {
        var slot = _fields[(int)field];
        if (slot.Kind is SlotKind.Absent or SlotKind.Raw)
        {
            return Data.Span.Slice(slot.Start, slot.Length).StartsWith(utf8);
        }

        return DecodedEquals(slot, utf8, prefix: true);
    }

    private bool DecodedEquals(FieldSlot slot, ReadOnlySpan<byte> utf8, bool prefix)
    {
        // Decode one byte further than needed: for an exact match a longer value must not compare equal.
        int want = prefix ? utf8.Length : utf8.Length + 1;
        byte[]? rented = null;
        Span<byte> buffer = want <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(want));
        try
        {
            int written = Decode(Data.Span.Slice(slot.Start, slot.Length), slot.Kind, buffer[..want], out bool complete);
            var value = buffer[..written];
            return prefix ? value.StartsWith(utf8) : complete && value.SequenceEqual(utf8);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The field's value as a string; empty when absent.</summary>
    public string GetString(WeChatField field)
    {
        var slot = _fields[(int)field];
        var raw = Data.Span.Slice(slot.Start, slot.Length);
        return slot.Kind switch
        {
            SlotKind.Absent => string.Empty,
            SlotKind.Raw => field == WeChatField.ToUserName ? Utf8StringCache.Get(raw) : Utf8ToString(raw),
            _ => DecodeToString(raw, slot.Kind),
        };
    }

    /// <summary>The field's value as a 64-bit integer (JSON number or numeric string); 0 when absent.</summary>
    /// <exception cref="WeChatPayloadException">The value is not an integer.</exception>
    public long GetInt64(WeChatField field) => field switch
    {
        WeChatField.CreateTime => _createTime,
        WeChatField.MsgId => _msgId,
        _ => ParseInteger(Data.Span, _fields[(int)field], field),
    };

    /// <summary>Reads the field as a 64-bit integer; an absent field reads as 0.</summary>
    public bool TryGetInt64(WeChatField field, out long value) => TryParseInteger(Data.Span, _fields[(int)field], out value);

    private static long ParseInteger(ReadOnlySpan<byte> data, FieldSlot slot, WeChatField field) =>
        TryParseInteger(data, slot, out long value)
            ? value
            : throw new WeChatPayloadException("must be an integer", slot.Start, field.ToString());

    /// <summary>
    /// An optionally signed run of decimal digits, surrounding whitespace allowed (XML text, JSON numbers or
    /// numeric strings); absent reads as 0.
    /// </summary>
    private static bool TryParseInteger(ReadOnlySpan<byte> data, FieldSlot slot, out long value)
    {
        value = 0;
        if (slot.Kind == SlotKind.Absent)
        {
            return true;
        }

        var text = data.Slice(slot.Start, slot.Length);
        if (slot.Kind != SlotKind.Raw)
        {
            Span<byte> scratch = stackalloc byte[32];
            int n = slot.Kind == SlotKind.XmlEncoded
                ? XmlPayloadReader.Decode(text, scratch, out bool complete)
                : JsonPayloadReader.Unescape(text, scratch, out complete);
            return complete && TryParseDigits(TrimWhitespace(scratch[..n]), out value);
        }

        return TryParseDigits(TrimWhitespace(text), out value);
    }

    internal static bool TryParseDigits(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        bool negative = !text.IsEmpty && text[0] == (byte)'-';
        if (negative)
        {
            text = text[1..];
        }

        if (text.IsEmpty || text.Length > 19)
        {
            return false;
        }

        ulong result = 0;
        foreach (byte b in text)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            result = (result * 10) + digit;
        }

        // Nineteen digits never overflow a ulong; the sign decides the long range.
        if (result > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
        {
            return false;
        }

        value = negative ? (long)(0 - result) : (long)result;
        return true;
    }

    /// <summary>
    /// Any field by path: <c>a</c> (a top-level field), <c>a.b</c> (a field inside the object or element <c>a</c>),
    /// <c>a[2].b</c> (inside the third <c>a</c>: in XML the third repeated element, in JSON the array index, a single
    /// object being index 0). Names are ordinal. Returns the decoded text of a scalar (numbers and booleans as their
    /// text); <see langword="null"/> when the path is absent or names an object, element with children or array.
    /// </summary>
    /// <exception cref="ArgumentException">The path is not of that form.</exception>
    public string? GetField(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return RootNode().Find(path);
    }

    internal static string? GetField(ReadOnlyMemory<byte> data, WeChatFormat format, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (data.IsEmpty)
        {
            return null;
        }

        return WeChatNode.Root(data.Span, format).Find(path);
    }

    /// <summary>The root object (JSON) or the <c>&lt;xml&gt;</c> element (XML) as a node, without the field table.</summary>
    internal WeChatNode RootNode() => WeChatNode.Root(Data.Span, Format, _rootStart, _rootEnd);

    internal FieldSlot GetSlot(WeChatField field) => _fields[(int)field];

    /// <summary>The MsgType as a cached string when it is one of the documented customer-service types, else null.</summary>
    internal string? KnownMsgType() =>
        ValueEquals(WeChatField.MsgType, "text"u8) ? "text"
        : ValueEquals(WeChatField.MsgType, "event"u8) ? "event"
        : ValueEquals(WeChatField.MsgType, "image"u8) ? "image"
        : ValueEquals(WeChatField.MsgType, "miniprogrampage"u8) ? "miniprogrampage"
        : null;

    internal static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> text)
    {
        int s = 0, e = text.Length;
        while (s < e && IsWhitespace(text[s]))
        {
            s++;
        }

        while (e > s && IsWhitespace(text[e - 1]))
        {
            e--;
        }

        return text[s..e];
    }

    /// <summary>
    /// The string of a slice of the payload, which was validated as UTF-8 when it was scanned: most values are ASCII,
    /// and those are widened in one pass instead of being counted and transcoded.
    /// </summary>
    internal static string Utf8ToString(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return string.Empty;
        }

        return Ascii.IsValid(raw)
            ? string.Create(raw.Length, raw, static (chars, ascii) => Ascii.ToUtf16(ascii, chars, out _))
            : Encoding.UTF8.GetString(raw);
    }

    internal static string DecodeToString(ReadOnlySpan<byte> raw, SlotKind kind)
    {
        if (kind == SlotKind.JsonEscaped)
        {
            return JsonPayloadReader.UnescapeToString(raw);
        }

        // Decoding never lengthens a value: every entity, reference or escape is at least as long as its UTF-8 result.
        byte[]? rented = null;
        Span<byte> buffer = raw.Length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            int n = Decode(raw, kind, buffer, out _);
            return Utf8ToString(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    internal static int Decode(ReadOnlySpan<byte> raw, SlotKind kind, Span<byte> destination, out bool complete) =>
        kind == SlotKind.XmlEncoded
            ? XmlPayloadReader.Decode(raw, destination, out complete)
            : JsonPayloadReader.Unescape(raw, destination, out complete);
}
