namespace WeChatHandlers;

/// <summary>
/// The one gate every value passes before the framework logs it (the endpoint's lines, and the API client's text from
/// WeChat, which an answer could fill with anything): bounded in length and free of control characters, so that
/// no push can forge log lines, inject terminal escapes or blow up a log line.
/// </summary>
internal static class LogValue
{
    /// <summary>The longest logged value, in characters, before it is cut.</summary>
    public const int MaxLength = 160;

    /// <summary>The value, cut to <see cref="MaxLength"/> (with the number of characters left out) and with control characters replaced by '?'.</summary>
    public static string Clean(string? value) => Clean(value, MaxLength);

    /// <summary>As <see cref="Clean(string?)"/>, cut to <paramref name="maxLength"/> characters; the same string when nothing changes.</summary>
    public static string Clean(string? value, int maxLength)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var span = value.AsSpan();
        bool cut = span.Length > maxLength;
        if (!cut && !HasControl(span))
        {
            return value;
        }

        var kept = cut ? span[..maxLength] : span;
        return string.Create(kept.Length + (cut ? 24 : 0), (value, cut, maxLength), static (destination, state) =>
        {
            var (source, wasCut, max) = state;
            var take = wasCut ? source.AsSpan(0, max) : source.AsSpan();
            for (int i = 0; i < take.Length; i++)
            {
                char c = take[i];
                destination[i] = char.IsControl(c) || c is '\u2028' or '\u2029' ? '?' : c;
            }

            if (wasCut)
            {
                var suffix = destination[take.Length..];
                suffix.Fill(' ');
                $"…(+{source.Length - max})".AsSpan().CopyTo(suffix);
            }
        }).TrimEnd();
    }

    /// <summary>What an exception says about itself, without its stack: its type and message, cleaned.</summary>
    public static string Of(Exception exception) => Clean(exception.GetType().Name + ": " + exception.Message);

    private static bool HasControl(ReadOnlySpan<char> span)
    {
        foreach (char c in span)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }
}
