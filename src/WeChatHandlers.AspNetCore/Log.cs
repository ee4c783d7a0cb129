using Microsoft.Extensions.Logging;

namespace WeChatHandlers.AspNetCore;

/// <summary>Structured log lines. None carries a secret, a token or a whole payload.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "WeChat request rejected: {Reason} ({Status}) {Detail}")]
    public static partial void Rejected(ILogger logger, string reason, int status, string detail);

    [LoggerMessage(2, LogLevel.Debug, "WeChat {MsgType} {Key} handled by {Handler} in {ElapsedMs} ms")]
    public static partial void Handled(ILogger logger, string msgType, string key, string handler, double elapsedMs);

    [LoggerMessage(3, LogLevel.Information, "WeChat {MsgType} {Key} has no handler")]
    public static partial void Unhandled(ILogger logger, string msgType, string key);

    [LoggerMessage(4, LogLevel.Information, "WeChat retry of {Key} acknowledged without running a handler ({State})")]
    public static partial void Duplicate(ILogger logger, string key, string state);

    [LoggerMessage(5, LogLevel.Error, "WeChat handler {Handler} failed for {Key}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler, string key);

    [LoggerMessage(6, LogLevel.Warning, "WeChat handler {Handler} for {Key} passed the {DeadlineMs} ms deadline; WeChat was answered and the handler continues")]
    public static partial void DeadlineOverrun(ILogger logger, string handler, string key, double deadlineMs);

    [LoggerMessage(7, LogLevel.Warning, "WeChat background queue is full; {Key} refused with 503 so WeChat retries")]
    public static partial void QueueFull(ILogger logger, string key);

    [LoggerMessage(9, LogLevel.Error, "WeChat dedupe store failed to record the outcome of {Key}; a retry may run the handler again")]
    public static partial void DedupeStoreFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(8, LogLevel.Information, "WeChat URL verification succeeded for account {Account}")]
    public static partial void Verified(ILogger logger, string account);
}
