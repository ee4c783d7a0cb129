namespace WeChatHandlers.Api;

/// <summary>Feeds pushes to an <see cref="ICustomerServiceWindowTracker"/> by the rules of protocol.md §7.1.</summary>
public static class CustomerServiceWindowTrackerExtensions
{
    /// <summary>
    /// Records one push: a user message (any <c>MsgType</c> but <c>event</c>) opens the 5-in-48-h window, a
    /// <c>user_enter_tempsession</c> event the 2-in-1-minute one; other events change nothing.
    /// </summary>
    /// <param name="tracker">The tracker.</param>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="fromUserName">The push's <c>FromUserName</c> (the user's openid).</param>
    /// <param name="msgType">The push's <c>MsgType</c>.</param>
    /// <param name="eventName">The push's <c>Event</c>, for events.</param>
    /// <param name="createTime">The push's <c>CreateTime</c> (Unix seconds).</param>
    /// <returns>Whether the push opened or reset a window.</returns>
    public static bool OnPush(this ICustomerServiceWindowTracker tracker, string appId, string fromUserName, string msgType, string? eventName, long createTime)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(msgType);
        if (string.IsNullOrEmpty(appId) || string.IsNullOrEmpty(fromUserName) || msgType.Length == 0)
        {
            return false;
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(createTime);
        if (!string.Equals(msgType, "event", StringComparison.Ordinal))
        {
            tracker.OnUserMessage(appId, fromUserName, at);
            return true;
        }

        if (string.Equals(eventName, "user_enter_tempsession", StringComparison.Ordinal))
        {
            tracker.OnSessionEntered(appId, fromUserName, at);
            return true;
        }

        return false;
    }
}
