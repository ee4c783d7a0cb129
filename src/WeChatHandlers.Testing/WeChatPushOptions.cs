namespace WeChatHandlers.Testing;

/// <summary>How a push is signed and sent.</summary>
public sealed record WeChatPushOptions
{
    /// <summary>XML (WeChat's default) or JSON. Ignored for a push given as a document, which keeps its own.</summary>
    public WeChatFormat Format { get; init; } = WeChatFormat.Xml;

    /// <summary>Safe mode: encrypt the push and add <c>encrypt_type=aes</c> and <c>msg_signature</c>.</summary>
    public bool Encrypt { get; init; }

    /// <summary>The <c>timestamp</c> query value; the current Unix time when <see langword="null"/>.</summary>
    public string? Timestamp { get; init; }

    /// <summary>The <c>nonce</c> query value; random digits when <see langword="null"/>.</summary>
    public string? Nonce { get; init; }

    /// <summary>Add <c>openid</c> (the push's FromUserName) to the query, as WeChat does in safe mode.</summary>
    public bool IncludeOpenId { get; init; } = true;
}
