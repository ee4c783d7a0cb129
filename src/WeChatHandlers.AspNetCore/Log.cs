using Microsoft.Extensions.Logging;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// Structured log lines. None carries a secret, a token, a whole payload or, at Information and above, a payload value:
/// a message is named by its dedupe key (the account, and MsgId or a hash of the whole message), and every value passes
/// <see cref="LogValue.Clean(string?)"/> first.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "WeChat request rejected: {Reason} ({Status}) {Detail}")]
    private static partial void RejectedCore(ILogger logger, string reason, int status, string detail);

    public static void Rejected(ILogger logger, in Refusal refusal) => RejectedCore(logger, refusal.Tag, refusal.Status, refusal.Text);

    [LoggerMessage(10, LogLevel.Debug, "WeChat request rejected: {Reason}, because: {Cause}")]
    private static partial void RejectedCauseCore(ILogger logger, string reason, string cause);

    /// <summary>Why, in the words of the parser or the server: may quote the payload, so Debug only.</summary>
    public static void RejectedCause(ILogger logger, in Refusal refusal, string? cause)
    {
        if (cause is not null && logger.IsEnabled(LogLevel.Debug))
        {
            RejectedCauseCore(logger, refusal.Tag, LogValue.Clean(cause));
        }
    }

    [LoggerMessage(2, LogLevel.Debug, "WeChat {MsgType} {Key} handled by {Handler} in {ElapsedMs} ms")]
    private static partial void HandledCore(ILogger logger, string msgType, string key, string handler, double elapsedMs);

    public static void Handled(ILogger logger, string msgType, string key, string handler, double elapsedMs)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            HandledCore(logger, msgType, LogValue.Clean(key), handler, elapsedMs);
        }
    }

    [LoggerMessage(3, LogLevel.Information, "WeChat {MsgType} {Key} has no handler")]
    private static partial void UnhandledCore(ILogger logger, string msgType, string key);

    public static void Unhandled(ILogger logger, string msgType, string key) => UnhandledCore(logger, msgType, LogValue.Clean(key));

    [LoggerMessage(4, LogLevel.Information, "WeChat retry of {Key} acknowledged without running a handler ({State})")]
    private static partial void DuplicateCore(ILogger logger, string key, string state);

    public static void Duplicate(ILogger logger, string key, string state) => DuplicateCore(logger, LogValue.Clean(key), state);

    [LoggerMessage(5, LogLevel.Error, "WeChat handler {Handler} failed for {Key}")]
    private static partial void HandlerFailedCore(ILogger logger, Exception exception, string handler, string key);

    /// <summary>With the stack trace (the handler's own bug to find), every message in it cleaned: they may quote the push.</summary>
    public static void HandlerFailed(ILogger logger, Exception exception, string handler, string key) =>
        HandlerFailedCore(logger, LoggedException.For(exception), handler, LogValue.Clean(key));

    [LoggerMessage(6, LogLevel.Warning, "WeChat handler {Handler} for {Key} passed the {DeadlineMs} ms deadline; WeChat was answered and the handler continues")]
    private static partial void DeadlineOverrunCore(ILogger logger, string handler, string key, double deadlineMs);

    public static void DeadlineOverrun(ILogger logger, string handler, string key, double deadlineMs) => DeadlineOverrunCore(logger, handler, LogValue.Clean(key), deadlineMs);

    [LoggerMessage(7, LogLevel.Warning, "WeChat background queue is full; {Key} refused with 503 so WeChat retries")]
    private static partial void QueueFullCore(ILogger logger, string key);

    public static void QueueFull(ILogger logger, string key) => QueueFullCore(logger, LogValue.Clean(key));

    [LoggerMessage(9, LogLevel.Error, "WeChat dedupe store failed to {Operation} {Key} ({Error}); {Consequence}")]
    private static partial void DedupeStoreFailedCore(ILogger logger, string operation, string key, string error, string consequence);

    /// <summary>One line, no stack trace: a store outage would otherwise print one dump per push.</summary>
    public static void DedupeStoreFailed(ILogger logger, string operation, string key, Exception error, string consequence)
        => DedupeStoreFailedCore(logger, operation, LogValue.Clean(key), LogValue.Of(error), consequence);

    [LoggerMessage(11, LogLevel.Warning, "WeChat run of {Key} lost its dedupe lease (taken over after it ran out); a second run may have started")]
    private static partial void LeaseLostCore(ILogger logger, string key);

    public static void LeaseLost(ILogger logger, string key) => LeaseLostCore(logger, LogValue.Clean(key));

    [LoggerMessage(12, LogLevel.Debug, "WeChat answer for {Key} not written: the client is gone ({Error})")]
    private static partial void ClientGoneCore(ILogger logger, string key, string error);

    public static void ClientGone(ILogger logger, string key, Exception error)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            ClientGoneCore(logger, LogValue.Clean(key), LogValue.Of(error));
        }
    }

    [LoggerMessage(8, LogLevel.Information, "WeChat URL verification succeeded for account {Account}")]
    private static partial void VerifiedCore(ILogger logger, string account);

    public static void Verified(ILogger logger, string account) => VerifiedCore(logger, LogValue.Clean(account));

    [LoggerMessage(13, LogLevel.Error, "WeChat reply of {Key} could not be rendered ({Error}); WeChat was answered success")]
    private static partial void ReplyNotRenderedCore(ILogger logger, string key, string error);

    public static void ReplyNotRendered(ILogger logger, string key, Exception error) => ReplyNotRenderedCore(logger, LogValue.Clean(key), LogValue.Of(error));
}
