namespace WeChatHandlers.Testing;

/// <summary>
/// The credentials a test plays WeChat with: what the app under test is configured with, and what pushes are signed
/// and encrypted with. <see cref="Default"/> has a valid key, so safe mode works out of the box.
/// </summary>
public sealed record WeChatTestAccount
{
    /// <summary>Token <c>test-token</c>, the EncodingAESKey of wechatpy's published vector, AppId <c>wx49f0ab532d5d035a</c>.</summary>
    public static WeChatTestAccount Default { get; } = new();

    /// <summary>The Token of the message-push configuration.</summary>
    public string Token { get; init; } = "test-token";

    /// <summary>The 43-character EncodingAESKey; <see langword="null"/> for an app that only takes plaintext.</summary>
    public string? EncodingAESKey { get; init; } = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";

    /// <summary>The mini program's AppId (embedded in every encrypted message).</summary>
    public string AppId { get; init; } = "wx49f0ab532d5d035a";

    /// <summary>The AppSecret the fake WeChat API accepts for access tokens.</summary>
    public string AppSecret { get; init; } = "test-secret";

    /// <summary>The original id (<c>gh_…</c>) pushes carry as ToUserName.</summary>
    public string OriginalId { get; init; } = WeChatPush.DefaultOriginalId;

    /// <summary>
    /// The account as configuration keys of the <c>WeChat</c> section (<c>WeChat:Token</c>, <c>WeChat:EncodingAESKey</c>,
    /// <c>WeChat:AppId</c>, <c>WeChat:AppSecret</c>, <c>WeChat:OriginalId</c>), plus <c>WeChat:ApiBaseAddress</c> when given.
    /// </summary>
    /// <param name="apiBaseAddress">The fake WeChat API's address, or <see langword="null"/>.</param>
    public IReadOnlyDictionary<string, string?> ToConfiguration(Uri? apiBaseAddress = null)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["WeChat:Token"] = Token,
            ["WeChat:AppId"] = AppId,
            ["WeChat:AppSecret"] = AppSecret,
            ["WeChat:OriginalId"] = OriginalId,
        };
        if (EncodingAESKey is not null)
        {
            settings["WeChat:EncodingAESKey"] = EncodingAESKey;
        }

        if (apiBaseAddress is not null)
        {
            settings["WeChat:ApiBaseAddress"] = apiBaseAddress.ToString().TrimEnd('/');
        }

        return settings;
    }
}
