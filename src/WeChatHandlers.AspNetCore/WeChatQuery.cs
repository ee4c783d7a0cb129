namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The query parameters WeChat sends, read straight from the query string: no dictionary of every parameter per
/// request, and no string per value: a value is a slice of the query string unless it had to be decoded. Values are
/// decoded as ASP.NET Core decodes queries ('+' is a space, percent escapes are UTF-8).
/// </summary>
internal readonly struct WeChatQuery
{
    public QueryValue Signature { get; private init; }

    public QueryValue Timestamp { get; private init; }

    public QueryValue Nonce { get; private init; }

    public QueryValue EchoStr { get; private init; }

    public QueryValue EncryptType { get; private init; }

    public QueryValue MsgSignature { get; private init; }

    public static WeChatQuery Parse(string? queryString)
    {
        QueryValue signature = default, timestamp = default, nonce = default, echostr = default, encryptType = default, msgSignature = default;
        if (queryString is null)
        {
            return default;
        }

        int at = queryString.StartsWith('?') ? 1 : 0;
        while (at < queryString.Length)
        {
            var rest = queryString.AsSpan(at);
            int amp = rest.IndexOf('&');
            int pairLength = amp < 0 ? rest.Length : amp;
            var pair = rest[..pairLength];
            int eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            int valueStart = eq < 0 ? at + pairLength : at + eq + 1;
            int valueLength = at + pairLength - valueStart;
            at += pairLength + 1;

            // The first occurrence wins, as it does for a signature check anywhere else.
            switch (key)
            {
                case "signature": Take(ref signature, queryString, valueStart, valueLength); break;
                case "timestamp": Take(ref timestamp, queryString, valueStart, valueLength); break;
                case "nonce": Take(ref nonce, queryString, valueStart, valueLength); break;
                case "echostr": Take(ref echostr, queryString, valueStart, valueLength); break;
                case "encrypt_type": Take(ref encryptType, queryString, valueStart, valueLength); break;
                case "msg_signature": Take(ref msgSignature, queryString, valueStart, valueLength); break;
            }
        }

        return new WeChatQuery
        {
            Signature = signature,
            Timestamp = timestamp,
            Nonce = nonce,
            EchoStr = echostr,
            EncryptType = encryptType,
            MsgSignature = msgSignature,
        };
    }

    private static void Take(ref QueryValue value, string query, int start, int length)
    {
        if (value.IsPresent)
        {
            return;
        }

        var raw = query.AsSpan(start, length);
        if (raw.IndexOfAny('%', '+') < 0)
        {
            value = new QueryValue(query, start, length);
            return;
        }

        string decoded = Uri.UnescapeDataString(raw.ToString().Replace('+', ' '));
        value = new QueryValue(decoded, 0, decoded.Length);
    }
}

/// <summary>One query value: a slice of the query string, or its decoded copy. The default is an absent value.</summary>
internal readonly struct QueryValue(string text, int start, int length)
{
    private readonly string? _text = text;

    /// <summary>Whether the parameter was in the query (possibly with an empty value).</summary>
    public bool IsPresent => _text is not null;

    /// <summary>Whether the parameter was in the query with a value: <c>timestamp=</c> has none.</summary>
    public bool HasValue => _text is not null && length > 0;

    /// <summary>The value; empty when absent.</summary>
    public ReadOnlySpan<char> Span => _text is null ? default : _text.AsSpan(start, length);

    /// <summary>The value as a string (allocates unless it is the whole text); empty when absent.</summary>
    public override string ToString() =>
        _text is null ? string.Empty : start == 0 && length == _text.Length ? _text : _text.Substring(start, length);
}
