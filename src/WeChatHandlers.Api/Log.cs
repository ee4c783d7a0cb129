using Microsoft.Extensions.Logging;

namespace WeChatHandlers.Api;

// Source-generated log messages. None takes a token, a secret or a request URL (which carries the token).
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Fetched a new access token for AppId {AppId} through {Api}; it is used until {ExpiresAt:O}")]
    public static partial void TokenFetched(ILogger logger, string appId, string api, DateTimeOffset expiresAt);

    [LoggerMessage(2, LogLevel.Warning, "WeChat API {Api} refused the access token of AppId {AppId} with errcode {ErrorCode}; refreshing it and retrying once")]
    public static partial void TokenRejected(ILogger logger, string api, string appId, int errorCode);

    [LoggerMessage(3, LogLevel.Warning, "WeChat API {Api} for AppId {AppId} was busy (errcode -1); retry {Attempt} in {Delay}")]
    public static partial void BusyRetry(ILogger logger, string api, string appId, int attempt, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "WeChat API {Api} for AppId {AppId} failed with errcode {ErrorCode}: {ErrorMessage}")]
    private static partial void CallFailedCore(ILogger logger, string api, string appId, int errorCode, string errorMessage);

    /// <summary>WeChat's errmsg is text from the network: logged bounded and without control characters.</summary>
    public static void CallFailed(ILogger logger, string api, string appId, int errorCode, string? errorMessage) =>
        CallFailedCore(logger, api, appId, errorCode, LogValue.Clean(errorMessage));

    [LoggerMessage(5, LogLevel.Warning, "WeChat API {Api} for AppId {AppId} timed out after {Timeout}")]
    public static partial void CallTimedOut(ILogger logger, string api, string appId, TimeSpan timeout);

    [LoggerMessage(6, LogLevel.Warning, "WeChat API {Api} for AppId {AppId} answered HTTP {StatusCode}")]
    public static partial void HttpFailure(ILogger logger, string api, string appId, int statusCode);

    [LoggerMessage(7, LogLevel.Information, "Not calling WeChat API {Api} for AppId {AppId}: the user's customer-service window is {State} (expected errcode {ErrorCode})")]
    public static partial void WindowClosed(ILogger logger, string api, string appId, CustomerServiceWindowState state, int errorCode);

    [LoggerMessage(8, LogLevel.Debug, "Waiting for another instance to refresh the access token of AppId {AppId}")]
    public static partial void WaitingForRefreshLock(ILogger logger, string appId);
}
