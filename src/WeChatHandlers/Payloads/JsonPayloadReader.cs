using System.Buffers;
using System.Text;
using System.Text.Json;

namespace WeChatHandlers.Payloads;

/// <summary>
/// Indexes the top-level properties of a JSON push with <see cref="Utf8JsonReader"/>: string values are kept as
/// slices between their quotes (unescaped only when read), numbers and booleans as their text, nested values skipped.
/// </summary>
internal static class JsonPayloadReader
{
    private static readonly JsonReaderOptions s_options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    public static void Scan(ReadOnlySpan<byte> json, int start, ref FieldTable table)
    {
        var reader = new Utf8JsonReader(json[start..], s_options);
        Span<byte> nameBuffer = stackalloc byte[64];
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int index = MatchName(ref reader, nameBuffer);
                long nameAt = start + reader.TokenStartIndex;
                reader.Read();
                if (index >= 0 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    throw new WeChatPayloadException($"Property \"{(WeChatField)index}\" must be a string or a number", nameAt);
                }

                var slot = ReadValue(ref reader, start);
                if (index < 0)
                {
                    continue;
                }

                if (table[index].Kind != SlotKind.Absent)
                {
                    throw new WeChatPayloadException($"Property \"{(WeChatField)index}\" appears twice", nameAt);
                }

                table[index] = slot;
            }

            // Anything after the closing brace but whitespace makes the reader throw.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            long offset = ex.LineNumber == 0 && ex.BytePositionInLine is long p ? start + p : start + reader.BytesConsumed;
            throw new WeChatPayloadException($"Malformed JSON: {FirstSentence(ex.Message)}", offset);
        }
    }

    /// <summary>Finds a top-level property by its unescaped name in an already validated document.</summary>
    public static FieldSlot Find(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        int start = json.StartsWith("\uFEFF"u8) ? 3 : 0;
        var reader = new Utf8JsonReader(json[start..], s_options);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            reader.Read();
            var slot = ReadValue(ref reader, start);
            if (match)
            {
                return slot;
            }
        }

        return default;
    }

    private static FieldSlot ReadValue(ref Utf8JsonReader reader, int start)
    {
        int at = start + (int)reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new FieldSlot(at + 1, reader.ValueSpan.Length, reader.ValueIsEscaped ? SlotKind.JsonEscaped : SlotKind.Raw);
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                return new FieldSlot(at, reader.ValueSpan.Length, SlotKind.Raw);
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return new FieldSlot(at, start + (int)reader.BytesConsumed - at, SlotKind.Raw);
            default:
                return default; // null: absent
        }
    }

    private static int MatchName(ref Utf8JsonReader reader, scoped Span<byte> buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            return FieldNames.Match(reader.ValueSpan);
        }

        // An escaped name no longer than the buffer can still be a known one ("\u004DsgType").
        if (reader.ValueSpan.Length > buffer.Length)
        {
            return -1;
        }

        int n = reader.CopyString(buffer);
        return FieldNames.Match(buffer[..n]);
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd(' ', '.');
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
