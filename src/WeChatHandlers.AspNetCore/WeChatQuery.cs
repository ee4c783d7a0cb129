namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The query parameters WeChat sends, read straight from the query string: no dictionary of every parameter per
/// request. Values are decoded as ASP.NET Core decodes queries ('+' is a space, percent escapes are UTF-8).
/// </summary>
internal readonly struct WeChatQuery
{
    public string? Signature { get; private init; }

    public string? Timestamp { get; private init; }

    public string? Nonce { get; private init; }

    public string? EchoStr { get; private init; }

    public string? EncryptType { get; private init; }

    public string? MsgSignature { get; private init; }

    public static WeChatQuery Parse(string? queryString)
    {
        string? signature = null, timestamp = null, nonce = null, echostr = null, encryptType = null, msgSignature = null;
        var rest = queryString.AsSpan();
        if (!rest.IsEmpty && rest[0] == '?')
        {
            rest = rest[1..];
        }

        while (!rest.IsEmpty)
        {
            int amp = rest.IndexOf('&');
            var pair = amp < 0 ? rest : rest[..amp];
            rest = amp < 0 ? default : rest[(amp + 1)..];
            int eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? default : pair[(eq + 1)..];

            // The first occurrence wins, as it does for a signature check anywhere else.
            switch (key)
            {
                case "signature": signature ??= Decode(value); break;
                case "timestamp": timestamp ??= Decode(value); break;
                case "nonce": nonce ??= Decode(value); break;
                case "echostr": echostr ??= Decode(value); break;
                case "encrypt_type": encryptType ??= Decode(value); break;
                case "msg_signature": msgSignature ??= Decode(value); break;
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

    private static string Decode(ReadOnlySpan<char> value)
    {
        if (value.IndexOfAny('%', '+') < 0)
        {
            return value.ToString();
        }

        return Uri.UnescapeDataString(value.ToString().Replace('+', ' '));
    }
}
