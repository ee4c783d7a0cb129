namespace WeChatHandlers.Api;

/// <summary>An access token and the moment it stops being used (WeChat's expiry less a safety margin).</summary>
/// <remarks><see cref="ToString"/> never shows the token, so logging the object by mistake leaks nothing.</remarks>
public sealed class AccessToken
{
    /// <summary>Creates a token.</summary>
    /// <param name="value">The token as WeChat issued it.</param>
    /// <param name="expiresAt">When to stop using it.</param>
    public AccessToken(string value, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
        ExpiresAt = expiresAt;
    }

    /// <summary>The token. Never log it.</summary>
    public string Value { get; }

    /// <summary>When to stop using the token: WeChat's <c>expires_in</c> less 300 s.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Whether the token may still be used at <paramref name="now"/>.</summary>
    public bool IsUsableAt(DateTimeOffset now) => now < ExpiresAt;

    /// <summary>A description without the token itself.</summary>
    public override string ToString() => $"AccessToken(expires {ExpiresAt:O})";
}
