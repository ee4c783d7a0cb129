namespace WeChatHandlers.Api;

/// <summary>The WeChat <c>errcode</c> values this client knows by name (protocol.md §7.5, §8).</summary>
public static class WeChatErrorCodes
{
    /// <summary><c>-1</c>: the system is busy; the client retries with a backoff.</summary>
    public const int SystemBusy = -1;

    /// <summary><c>0</c>: success.</summary>
    public const int Ok = 0;

    /// <summary><c>40001</c>: bad AppSecret, or the access token is invalid or not the latest.</summary>
    public const int InvalidCredential = 40001;

    /// <summary><c>40002</c>: invalid grant type.</summary>
    public const int InvalidGrantType = 40002;

    /// <summary><c>40003</c>: invalid openid (for example one of another mini program).</summary>
    public const int InvalidOpenId = 40003;

    /// <summary><c>40004</c>: invalid media type.</summary>
    public const int InvalidMediaType = 40004;

    /// <summary><c>40007</c>: invalid media_id.</summary>
    public const int InvalidMediaId = 40007;

    /// <summary><c>40013</c>: invalid AppId.</summary>
    public const int InvalidAppId = 40013;

    /// <summary><c>40014</c>: invalid access token.</summary>
    public const int InvalidAccessToken = 40014;

    /// <summary><c>42001</c>: the access token expired.</summary>
    public const int AccessTokenExpired = 42001;

    /// <summary><c>45009</c>: the daily API quota is used up.</summary>
    public const int DailyQuotaReached = 45009;

    /// <summary><c>45011</c>: the per-minute API quota is used up.</summary>
    public const int MinuteQuotaReached = 45011;

    /// <summary><c>45015</c>: the reply window is over (or the user left).</summary>
    public const int ReplyWindowOver = 45015;

    /// <summary><c>45047</c>: the window's send count is used up.</summary>
    public const int ReplyCountExceeded = 45047;

    /// <summary><c>45072</c>: invalid typing command.</summary>
    public const int InvalidTypingCommand = 45072;

    /// <summary><c>45080</c>: typing needs a user interaction within the last 30 s.</summary>
    public const int TypingWithoutRecentInteraction = 45080;

    /// <summary><c>45081</c>: typing is already shown.</summary>
    public const int AlreadyTyping = 45081;

    /// <summary><c>48001</c>: the API is not authorized for this account.</summary>
    public const int ApiUnauthorized = 48001;

    /// <summary><c>61004</c>: the caller's IP address is not in the account's whitelist.</summary>
    public const int IpNotWhitelisted = 61004;

    /// <summary>Whether <paramref name="errorCode"/> says the access token used is no longer accepted.</summary>
    public static bool IsAccessTokenRejection(int errorCode)
        => errorCode is InvalidCredential or InvalidAccessToken or AccessTokenExpired;

    /// <summary>A short English name of a known code, or <see langword="null"/>.</summary>
    public static string? Describe(int errorCode) => errorCode switch
    {
        SystemBusy => "system busy",
        InvalidCredential => "invalid credential or access token",
        InvalidGrantType => "invalid grant type",
        InvalidOpenId => "invalid openid",
        InvalidMediaType => "invalid media type",
        InvalidMediaId => "invalid media_id",
        InvalidAppId => "invalid AppId",
        InvalidAccessToken => "invalid access token",
        AccessTokenExpired => "access token expired",
        DailyQuotaReached => "daily quota reached",
        MinuteQuotaReached => "per-minute quota reached",
        ReplyWindowOver => "reply window over",
        ReplyCountExceeded => "reply count exceeded",
        InvalidTypingCommand => "invalid typing command",
        TypingWithoutRecentInteraction => "no user interaction in the last 30 s",
        AlreadyTyping => "already typing",
        ApiUnauthorized => "API not authorized",
        IpNotWhitelisted => "IP not whitelisted",
        _ => null,
    };
}
