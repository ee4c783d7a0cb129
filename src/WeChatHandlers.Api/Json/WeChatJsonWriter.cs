using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace WeChatHandlers.Api.Json;

/// <summary>Serializes request bodies to UTF-8 with every non-ASCII character written raw.</summary>
internal static class WeChatJsonWriter
{
    /// <summary>
    /// Serializes <paramref name="value"/>. The relaxed encoder still writes characters outside the Basic Multilingual
    /// Plane (emoji) as <c>\uD83D\uDE00</c> surrogate escapes; those pairs are rewritten to raw UTF-8 so the whole text
    /// reaches WeChat unescaped.
    /// </summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        return json.AsSpan().IndexOf("\\u"u8) < 0 ? json : UnescapeSurrogatePairs(json);
    }

    /// <summary>Rewrites <c>\uD8xx\uDCxx</c> escape pairs inside JSON strings to the UTF-8 bytes of the code point.</summary>
    internal static byte[] UnescapeSurrogatePairs(ReadOnlySpan<byte> json)
    {
        var output = new ArrayBufferWriter<byte>(json.Length);
        var i = 0;
        while (i < json.Length)
        {
            var next = json[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                output.Write(json[i..]);
                break;
            }

            output.Write(json.Slice(i, next));
            i += next;

            // Every escape is consumed whole, so a "\\u" (escaped backslash, then 'u') is never misread as \u.
            if (i + 12 <= json.Length && json[i + 1] == (byte)'u'
                && TryHex(json.Slice(i + 2, 4), out var high) && char.IsHighSurrogate((char)high)
                && json[i + 6] == (byte)'\\' && json[i + 7] == (byte)'u'
                && TryHex(json.Slice(i + 8, 4), out var low) && char.IsLowSurrogate((char)low))
            {
                var rune = new Rune((char)high, (char)low);
                var span = output.GetSpan(4);
                var written = rune.EncodeToUtf8(span);
                output.Advance(written);
                i += 12;
            }
            else
            {
                var length = i + 1 < json.Length && json[i + 1] == (byte)'u' ? 6 : 2;
                length = Math.Min(length, json.Length - i);
                output.Write(json.Slice(i, length));
                i += length;
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private static bool TryHex(ReadOnlySpan<byte> hex, out int value)
        => int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
