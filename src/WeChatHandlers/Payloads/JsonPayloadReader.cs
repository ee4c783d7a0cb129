using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace WeChatHandlers.Payloads;

/// <summary>
/// Indexes the top-level properties of a JSON push: string values are kept as slices between their quotes
/// (unescaped only when read), numbers and booleans as their text, nested values validated and skipped.
/// </summary>
internal static class JsonPayloadReader
{
    /// <summary>
    /// Indexes a JSON object in one pass with a strict RFC 8259 scanner (the grammar <see cref="System.Text.Json.Utf8JsonReader"/>
    /// accepts with comments and trailing commas off and a depth limit of 64; a differential test holds them equal).
    /// Hand-written because the general reader's per-token bookkeeping costs more than the whole dispatch.
    /// </summary>
    public static void Scan(ReadOnlySpan<byte> json, int start, ref FieldTable table)
    {
        var scanner = new Scanner(json, start);
        scanner.Expect((byte)'{');
        scanner.SkipWhitespace();
        if (!scanner.TryConsume((byte)'}'))
        {
            while (true)
            {
                int nameAt = scanner.Position;
                var name = scanner.ReadString(out bool nameEscaped);
                int index = nameEscaped ? MatchEscapedName(json.Slice(name.Start, name.Length)) : FieldNames.Match(json.Slice(name.Start, name.Length));
                scanner.SkipWhitespace();
                scanner.Expect((byte)':');
                scanner.SkipWhitespace();
                var slot = scanner.ReadValue(index >= 0, 1, out bool structured);
                if (index >= 0)
                {
                    if (structured)
                    {
                        throw new WeChatPayloadException($"Property \"{(WeChatField)index}\" must be a string or a number", nameAt);
                    }

                    if (table[index].Kind != SlotKind.Absent)
                    {
                        throw new WeChatPayloadException($"Property \"{(WeChatField)index}\" appears twice", nameAt);
                    }

                    table[index] = slot;
                }

                scanner.SkipWhitespace();
                if (scanner.TryConsume((byte)'}'))
                {
                    break;
                }

                scanner.Expect((byte)',');
                scanner.SkipWhitespace();
            }
        }

        scanner.SkipWhitespace();
        if (!scanner.AtEnd)
        {
            throw scanner.Error("Malformed JSON: content after the end of the object");
        }
    }

    private static int MatchEscapedName(ReadOnlySpan<byte> raw)
    {
        // An escaped name can still be a known one ("\u004DsgType"); known names are short.
        Span<byte> buffer = stackalloc byte[32];
        int n = Unescape(raw, buffer, out bool complete);
        return complete ? FieldNames.Match(buffer[..n]) : -1;
    }

    // Per byte: 1 when it may stand in a string as it is (not a quote, a backslash or a control character).
    private static ReadOnlySpan<byte> PlainStringBytes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ];

    /// <summary>
    /// Where the run of plain string bytes from <paramref name="pos"/> ends: the first quote, backslash or control
    /// character, or the end of <paramref name="json"/>. Sixteen bytes at a time with a vector compare, then eight in a
    /// register: a byte is flagged when it equals a quote or a backslash or is below 0x20, and the lowest flag is always a
    /// true one (a borrow can only wrongly flag a byte above a true one), then one at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NextSpecial(ReadOnlySpan<byte> json, int pos)
    {
        const ulong Ones = 0x0101010101010101;
        const ulong High = 0x8080808080808080;
        ref byte start = ref MemoryMarshal.GetReference(json);
        if (Vector128.IsHardwareAccelerated)
        {
            var quotes = Vector128.Create((byte)'"');
            var backslashes = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)0x20);
            while (pos <= json.Length - Vector128<byte>.Count)
            {
                var v = Vector128.LoadUnsafe(ref start, (nuint)pos);
                var special = Vector128.Equals(v, quotes) | Vector128.Equals(v, backslashes) | Vector128.LessThan(v, space);
                if (special != Vector128<byte>.Zero)
                {
                    return pos + BitOperations.TrailingZeroCount(special.ExtractMostSignificantBits());
                }

                pos += Vector128<byte>.Count;
            }
        }

        while (pos <= json.Length - sizeof(ulong))
        {
            ulong x = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, pos));
            ulong quote = x ^ (Ones * '"');
            ulong backslash = x ^ (Ones * '\\');
            ulong flags = ((quote - Ones) & ~quote) | ((backslash - Ones) & ~backslash) | ((x - (Ones * 0x20)) & ~x);
            flags &= High;
            if (flags != 0)
            {
                return pos + (BitOperations.TrailingZeroCount(flags) >> 3);
            }

            pos += sizeof(ulong);
        }

        var plain = PlainStringBytes;
        while ((uint)pos < (uint)json.Length && plain[json[pos]] != 0)
        {
            pos++;
        }

        return pos;
    }

    // Per byte: 1 when it ends a number or a literal in validated JSON (a comma, a closing bracket, whitespace).
    private static ReadOnlySpan<byte> LiteralEnds =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>A strict, allocation-free JSON tokenizer over one buffer.</summary>
    internal ref struct Scanner(ReadOnlySpan<byte> json, int start)
    {
        private const int MaxDepth = 64;

        private readonly ReadOnlySpan<byte> _json = json;
        private int _pos = start;

        public int Position
        {
            readonly get => _pos;
            set => _pos = value;
        }

        public readonly byte Current => _json[_pos];

        public readonly bool AtEnd => _pos >= _json.Length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void SkipWhitespace()
        {
            // Most tokens are not preceded by whitespace: one test, and no loop that stores the position per byte.
            if ((uint)_pos < (uint)_json.Length && _json[_pos] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                int pos = _pos + 1;
                while ((uint)pos < (uint)_json.Length && _json[pos] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
                {
                    pos++;
                }

                _pos = pos;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryConsume(byte b)
        {
            if (_pos < _json.Length && _json[_pos] == b)
            {
                _pos++;
                return true;
            }

            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Expect(byte b)
        {
            if (!TryConsume(b))
            {
                throw Error(AtEnd ? $"Malformed JSON: expected '{(char)b}' but the payload ended" : $"Malformed JSON: expected '{(char)b}'");
            }
        }

        /// <summary>Reads a string at the current position; returns the slice between its quotes.</summary>
        public FieldSlot ReadString(out bool escaped)
        {
            if (AtEnd || _json[_pos] != (byte)'"')
            {
                throw Error("Malformed JSON: expected a string");
            }

            int begin = ++_pos;
            escaped = false;

            var json = _json;
            int pos = begin;
            while (true)
            {
                pos = NextSpecial(json, pos);
                if (pos >= json.Length)
                {
                    break;
                }

                byte b = json[pos];
                if (b == (byte)'"')
                {
                    _pos = pos + 1;
                    return new FieldSlot(begin, pos - begin, escaped ? SlotKind.JsonEscaped : SlotKind.Raw);
                }

                if (b < 0x20)
                {
                    _pos = pos;
                    throw Error("Malformed JSON: control character in a string");
                }

                // A backslash.
                escaped = true;
                if (pos + 1 >= json.Length)
                {
                    _pos = pos;
                    throw Error("Malformed JSON: unterminated string");
                }

                switch (json[pos + 1])
                {
                    case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                        pos += 2;
                        break;
                    case (byte)'u':
                        if (!TryReadUnit(json, pos, out int unit))
                        {
                            _pos = pos;
                            throw Error("Malformed JSON: invalid \\u escape");
                        }

                        // A surrogate must be half of a pair, high then low: a lone one is no character (RFC 8259 §8.2).
                        if (unit is >= 0xD800 and <= 0xDBFF && TryReadUnit(json, pos + 6, out int low) && low is >= 0xDC00 and <= 0xDFFF)
                        {
                            pos += 12;
                            break;
                        }

                        if (unit is >= 0xD800 and <= 0xDFFF)
                        {
                            _pos = pos;
                            throw Error("Malformed JSON: a \\u escape of a lone surrogate");
                        }

                        pos += 6;
                        break;
                    default:
                        _pos = pos;
                        throw Error("Malformed JSON: invalid escape");
                }
            }

            _pos = json.Length;
            throw Error("Malformed JSON: unterminated string");
        }

        /// <summary>
        /// Reads any value. Strings, numbers and literals give a slot (null gives an absent one); objects and arrays
        /// are validated and skipped, and give their raw extent with <paramref name="structured"/> set.
        /// </summary>
        public FieldSlot ReadValue(bool known, int depth, out bool structured)
        {
            structured = false;
            if (AtEnd)
            {
                throw Error("Malformed JSON: expected a value but the payload ended");
            }

            int begin = _pos;
            switch (_json[_pos])
            {
                case (byte)'"':
                    return ReadString(out _);
                case (byte)'{' or (byte)'[':
                    structured = true;
                    if (known)
                    {
                        // The caller rejects it; no need to walk it first.
                        return default;
                    }

                    SkipStructure(depth + 1);
                    return new FieldSlot(begin, _pos - begin, SlotKind.Raw);
                case (byte)'t':
                    ExpectLiteral("true"u8);
                    return new FieldSlot(begin, 4, SlotKind.Raw);
                case (byte)'f':
                    ExpectLiteral("false"u8);
                    return new FieldSlot(begin, 5, SlotKind.Raw);
                case (byte)'n':
                    ExpectLiteral("null"u8);
                    return default;
                case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                    ReadNumber();
                    return new FieldSlot(begin, _pos - begin, SlotKind.Raw);
                default:
                    throw Error("Malformed JSON: expected a value");
            }
        }

        private void SkipStructure(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error($"Malformed JSON: nested deeper than {MaxDepth}");
            }

            bool isObject = _json[_pos] == (byte)'{';
            byte close = isObject ? (byte)'}' : (byte)']';
            _pos++;
            SkipWhitespace();
            if (TryConsume(close))
            {
                return;
            }

            while (true)
            {
                if (isObject)
                {
                    ReadString(out _);
                    SkipWhitespace();
                    Expect((byte)':');
                    SkipWhitespace();
                }

                ReadValue(known: false, depth, out _);
                SkipWhitespace();
                if (TryConsume(close))
                {
                    return;
                }

                Expect((byte)',');
                SkipWhitespace();
            }
        }

        private void ExpectLiteral(ReadOnlySpan<byte> literal)
        {
            if (!_json[_pos..].StartsWith(literal))
            {
                throw Error("Malformed JSON: invalid literal");
            }

            _pos += literal.Length;
        }

        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        private void ReadNumber()
        {
            TryConsume((byte)'-');
            if (TryConsume((byte)'0'))
            {
                // A leading zero stands alone.
            }
            else if (!SkipDigits())
            {
                throw Error("Malformed JSON: invalid number");
            }

            if (TryConsume((byte)'.') && !SkipDigits())
            {
                throw Error("Malformed JSON: invalid number");
            }

            if (TryConsume((byte)'e') || TryConsume((byte)'E'))
            {
                if (!TryConsume((byte)'+'))
                {
                    TryConsume((byte)'-');
                }

                if (!SkipDigits())
                {
                    throw Error("Malformed JSON: invalid number");
                }
            }

            if (!AtEnd && _json[_pos] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                throw Error("Malformed JSON: invalid number");
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool SkipDigits()
        {
            int begin = _pos;
            while (_pos < _json.Length && (uint)(_json[_pos] - '0') <= 9)
            {
                _pos++;
            }

            return _pos > begin;
        }

        private static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;

        // The UTF-16 unit of a \uXXXX escape starting at the backslash at pos.
        private static bool TryReadUnit(ReadOnlySpan<byte> json, int pos, out int unit)
        {
            unit = 0;
            if (pos + 6 > json.Length || json[pos] != (byte)'\\' || json[pos + 1] != (byte)'u')
            {
                return false;
            }

            for (int i = pos + 2; i < pos + 6; i++)
            {
                byte b = json[i];
                if (!IsHex(b))
                {
                    return false;
                }

                unit = (unit << 4) | (b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
            }

            return true;
        }

        public readonly WeChatPayloadException Error(string reason) => new(reason, _pos);
    }

    /// <summary>
    /// Reads over JSON that <see cref="Scan"/> has validated, for binders walking a container again: no grammar checks,
    /// only the searches that find where each token ends.
    /// </summary>
    internal static class Validated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int SkipWhitespace(ReadOnlySpan<byte> json, int pos)
        {
            // Outside strings, validated JSON holds no byte below the space but the other three whitespace bytes.
            while ((uint)pos < (uint)json.Length && json[pos] <= (byte)' ')
            {
                pos++;
            }

            return pos;
        }

        /// <summary>The string whose opening quote is at <paramref name="pos"/>: the slice between its quotes; <paramref name="pos"/> moves past it.</summary>
        public static FieldSlot ReadString(ReadOnlySpan<byte> json, ref int pos, out bool escaped)
        {
            int begin = pos + 1;
            int end = EndOfString(json, begin, out escaped);
            pos = end + 1;
            return new FieldSlot(begin, end - begin, escaped ? SlotKind.JsonEscaped : SlotKind.Raw);
        }

        /// <summary>The closing quote of the string whose body starts at <paramref name="begin"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int EndOfString(ReadOnlySpan<byte> json, int begin, out bool escaped)
        {
            escaped = false;
            int pos = NextSpecial(json, begin);
            while (json[pos] != (byte)'"')
            {
                // A backslash and the byte it escapes; the four hex digits of \u never hold a quote or a backslash, and
                // escapes often come in runs (\u63fd\u4ef6).
                escaped = true;
                pos += json[pos + 1] == (byte)'u' ? 6 : 2;
                if (json[pos] != (byte)'\\')
                {
                    pos = NextSpecial(json, pos);
                }
            }

            return pos;
        }

        /// <summary>
        /// The value at <paramref name="pos"/> (after whitespace): its slot and kind, <paramref name="pos"/> moved past it.
        /// Containers give their extent from the opening bracket; <c>null</c> is <see cref="NodeKind.Absent"/>.
        /// </summary>
        public static FieldSlot ReadValue(ReadOnlySpan<byte> json, ref int pos, out NodeKind kind)
        {
            int begin = pos;
            switch (json[pos])
            {
                case (byte)'"':
                    kind = NodeKind.JsonString;
                    return ReadString(json, ref pos, out _);
                case (byte)'{':
                    kind = NodeKind.JsonObject;
                    pos = EndOfContainer(json, pos);
                    return new FieldSlot(begin, pos - begin, SlotKind.Raw);
                case (byte)'[':
                    kind = NodeKind.JsonArray;
                    pos = EndOfContainer(json, pos);
                    return new FieldSlot(begin, pos - begin, SlotKind.Raw);
                case (byte)'n':
                    kind = NodeKind.Absent;
                    pos += 4;
                    return default;
                default:
                    // A number, true or false: it ends at a delimiter.
                    kind = NodeKind.JsonLiteral;
                    var delimiters = LiteralEnds;
                    while ((uint)pos < (uint)json.Length && delimiters[json[pos]] == 0)
                    {
                        pos++;
                    }

                    return new FieldSlot(begin, pos - begin, SlotKind.Raw);
            }
        }

        /// <summary>Just past the bracket that closes the object or array opening at <paramref name="pos"/>.</summary>
        /// <remarks>
        /// A byte loop: the items WeChat sends are short and dense with quotes and brackets, where a vector search
        /// per token costs more than it finds.
        /// </remarks>
        public static int EndOfContainer(ReadOnlySpan<byte> json, int pos)
        {
            int depth = 0;
            var plain = PlainStringBytes;
            while ((uint)pos < (uint)json.Length)
            {
                byte b = json[pos++];
                if (b == (byte)'"')
                {
                    // A string: its own tight loop, so the structural loop carries no in-string state.
                    while ((uint)pos < (uint)json.Length)
                    {
                        byte c = json[pos++];
                        if (plain[c] != 0)
                        {
                            continue;
                        }

                        if (c == (byte)'"')
                        {
                            break;
                        }

                        if (c == (byte)'\\')
                        {
                            pos++;
                        }
                    }
                }
                else if ((b | 0x20) == (byte)'{')
                {
                    // '{' or '['.
                    depth++;
                }
                else if ((b | 0x20) == (byte)'}' && --depth == 0)
                {
                    // '}' or ']'.
                    return pos;
                }
            }

            return pos;
        }
    }

    /// <summary>
    /// Finds a top-level property by its unescaped name in an already validated document, from
    /// <paramref name="start"/> (the opening brace), with the same scanner that validated it.
    /// </summary>
    public static FieldSlot Find(ReadOnlySpan<byte> json, int start, ReadOnlySpan<byte> name)
    {
        var scanner = new Scanner(json, start);
        scanner.Expect((byte)'{');
        scanner.SkipWhitespace();
        if (scanner.TryConsume((byte)'}'))
        {
            return default;
        }

        Span<byte> buffer = stackalloc byte[128];
        while (true)
        {
            var key = scanner.ReadString(out bool escaped);
            bool match = escaped
                ? EscapedNameEquals(json.Slice(key.Start, key.Length), name, buffer)
                : json.Slice(key.Start, key.Length).SequenceEqual(name);
            scanner.SkipWhitespace();
            scanner.Expect((byte)':');
            scanner.SkipWhitespace();
            var slot = scanner.ReadValue(known: false, 1, out _);
            if (match)
            {
                return slot;
            }

            scanner.SkipWhitespace();
            if (scanner.TryConsume((byte)'}'))
            {
                return default;
            }

            scanner.Expect((byte)',');
            scanner.SkipWhitespace();
        }
    }

    private static bool EscapedNameEquals(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> name, Span<byte> buffer)
    {
        // One byte past the name is enough to tell a longer key apart.
        byte[]? rented = name.Length < buffer.Length ? null : ArrayPool<byte>.Shared.Rent(name.Length + 1);
        var target = (rented ?? buffer)[..(name.Length + 1)];
        int n = Unescape(raw, target, out _);
        bool equal = target[..n].SequenceEqual(name);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return equal;
    }

    /// <summary>Unescapes a validated JSON string body. Writes at most <paramref name="destination"/>.Length bytes, never splitting a character.</summary>
    public static int Unescape(ReadOnlySpan<byte> raw, Span<byte> destination, out bool complete)
    {
        int written = 0, i = 0;
        Span<byte> utf8 = stackalloc byte[4];
        while (i < raw.Length)
        {
            int slash = raw[i..].IndexOf((byte)'\\');
            var run = slash < 0 ? raw[i..] : raw.Slice(i, slash);
            if (run.Length > destination.Length - written)
            {
                run[..(destination.Length - written)].CopyTo(destination[written..]);
                complete = false;
                return destination.Length;
            }

            run.CopyTo(destination[written..]);
            written += run.Length;
            i += run.Length;
            if (slash < 0)
            {
                break;
            }

            byte e = raw[i + 1];
            int n;
            if (e == (byte)'u')
            {
                int cp = ParseHex4(raw.Slice(i + 2, 4));
                i += 6;
                if (char.IsHighSurrogate((char)cp) && i + 6 <= raw.Length && raw[i] == (byte)'\\' && raw[i + 1] == (byte)'u')
                {
                    int low = ParseHex4(raw.Slice(i + 2, 4));
                    if (char.IsLowSurrogate((char)low))
                    {
                        cp = char.ConvertToUtf32((char)cp, (char)low);
                        i += 6;
                    }
                }

                n = (Rune.IsValid(cp) ? new Rune(cp) : Rune.ReplacementChar).EncodeToUtf8(utf8);
            }
            else
            {
                utf8[0] = e switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => e, // \" \\ \/
                };
                n = 1;
                i += 2;
            }

            if (n > destination.Length - written)
            {
                complete = false;
                return written;
            }

            utf8[..n].CopyTo(destination[written..]);
            written += n;
        }

        complete = true;
        return written;
    }

    /// <summary>
    /// The string of a validated JSON string body with escapes, decoded straight to UTF-16: a <c>\u</c> escape is one
    /// UTF-16 unit already, so CJK text sent as escapes is not encoded to UTF-8 and transcoded back. A lone surrogate
    /// becomes U+FFFD, as <see cref="Unescape"/> does.
    /// </summary>
    public static string UnescapeToString(ReadOnlySpan<byte> raw)
    {
        // Decoding never lengthens: every escape is longer than its one UTF-16 unit, every UTF-8 sequence at least as
        // long as its UTF-16 units.
        char[]? rented = null;
        Span<char> chars = raw.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        try
        {
            int written = 0, i = 0;
            while (i < raw.Length)
            {
                int slash = raw[i..].IndexOf((byte)'\\');
                var run = slash < 0 ? raw[i..] : raw.Slice(i, slash);
                if (!run.IsEmpty)
                {
                    System.Text.Unicode.Utf8.ToUtf16(run, chars[written..], out _, out int produced);
                    written += produced;
                    i += run.Length;
                }

                if (slash < 0)
                {
                    break;
                }

                byte e = raw[i + 1];
                if (e != (byte)'u')
                {
                    chars[written++] = e switch
                    {
                        (byte)'b' => '\b',
                        (byte)'f' => '\f',
                        (byte)'n' => '\n',
                        (byte)'r' => '\r',
                        (byte)'t' => '\t',
                        _ => (char)e, // \" \\ \/
                    };
                    i += 2;
                    continue;
                }

                char unit = (char)ParseHex4(raw.Slice(i + 2, 4));
                i += 6;
                if (char.IsHighSurrogate(unit) && i + 6 <= raw.Length && raw[i] == (byte)'\\' && raw[i + 1] == (byte)'u'
                    && char.IsLowSurrogate((char)ParseHex4(raw.Slice(i + 2, 4))))
                {
                    chars[written++] = unit;
                    chars[written++] = (char)ParseHex4(raw.Slice(i + 2, 4));
                    i += 6;
                }
                else
                {
                    chars[written++] = char.IsSurrogate(unit) ? '\uFFFD' : unit;
                }
            }

            return new string(chars[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        int value = 0;
        foreach (byte b in hex)
        {
            value = (value << 4) | (b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
        }

        return value;
    }
}
