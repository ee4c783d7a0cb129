namespace WeChatHandlers.Api;

/// <summary>How access tokens are obtained from WeChat.</summary>
public enum AccessTokenMode
{
    /// <summary>
    /// <c>POST cgi-bin/stable_token</c> in normal mode (the default): repeated calls return the same token while it is
    /// valid, so a second fetch never invalidates a token another instance still uses.
    /// </summary>
    Stable = 0,

    /// <summary>
    /// <c>GET cgi-bin/token</c>: every fetch invalidates the previous token after a five-minute overlap. Use it only
    /// with a shared token store, so a single instance fetches.
    /// </summary>
    Classic = 1,
}

/// <summary>One mini program the client may act for.</summary>
public sealed class WeChatAccountOptions
{
    /// <summary>The mini program's AppId (<c>wx…</c>).</summary>
    public string AppId { get; set; } = "";

    /// <summary>The mini program's AppSecret. Never logged.</summary>
    public string AppSecret { get; set; } = "";
}

/// <summary>
/// Options of the outbound WeChat API client, bound from the configuration section <c>WeChat</c>
/// (<see cref="SectionName"/>).
/// </summary>
public sealed class WeChatApiOptions
{
    /// <summary>The configuration section the options are read from by convention: <c>WeChat</c>.</summary>
    public const string SectionName = "WeChat";

    /// <summary>The default WeChat API host.</summary>
    public const string DefaultApiBaseAddress = "https://api.weixin.qq.com";

    /// <summary>
    /// The AppId of the default mini program, used by <see cref="ICustomerServiceClient"/> when resolved directly.
    /// When empty, the first entry of <see cref="Accounts"/> is the default.
    /// </summary>
    public string AppId { get; set; } = "";

    /// <summary>The AppSecret of the default mini program. Never logged.</summary>
    public string AppSecret { get; set; } = "";

    /// <summary>Further mini programs served by the same process, selected by AppId.</summary>
    public List<WeChatAccountOptions> Accounts { get; set; } = [];

    /// <summary>The WeChat API host; <c>https://api.weixin.qq.com</c> unless a test or a proxy says otherwise.</summary>
    public string ApiBaseAddress { get; set; } = DefaultApiBaseAddress;

    /// <summary>Which token endpoint is used; <see cref="AccessTokenMode.Stable"/> by default.</summary>
    public AccessTokenMode TokenMode { get; set; } = AccessTokenMode.Stable;

    /// <summary>
    /// The longest one HTTP request to WeChat may take, its answer read (for a media download: its headers, or its error
    /// body; the media stream handed to you is read at your pace). 10 s by default.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a call answered with <c>-1</c> (system busy) is tried again. 2 by default; 0 disables retries.</summary>
    public int BusyRetryCount { get; set; } = 2;

    /// <summary>The wait before the first busy retry; it doubles for each further retry. 200 ms by default.</summary>
    public TimeSpan BusyRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether sends are refused locally when the user's customer-service window is known to be spent or over
    /// (see <see cref="ICustomerServiceWindowTracker"/>). On by default.
    /// </summary>
    public bool EnforceCustomerServiceWindows { get; set; } = true;

    /// <summary>The most users whose send windows are remembered; beyond it the oldest are forgotten. 100 000 by default.</summary>
    public int MaxTrackedWindows { get; set; } = 100_000;

    /// <summary>
    /// How long a shared token store's refresh lock is held at most, should its holder die mid-fetch. 30 s by default;
    /// keep it above <see cref="RequestTimeout"/>.
    /// </summary>
    public TimeSpan TokenLockLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an instance that lost the refresh lock re-reads the shared store. 100 ms by default.</summary>
    public TimeSpan TokenLockPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Every configured account: the default one (when <see cref="AppId"/> is set) followed by <see cref="Accounts"/>.</summary>
    internal IEnumerable<WeChatAccountOptions> AllAccounts()
    {
        if (!string.IsNullOrEmpty(AppId) || !string.IsNullOrEmpty(AppSecret))
        {
            yield return new WeChatAccountOptions { AppId = AppId, AppSecret = AppSecret };
        }

        foreach (var account in Accounts)
        {
            yield return account;
        }
    }
}
