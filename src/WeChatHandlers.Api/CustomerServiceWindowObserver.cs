using WeChatHandlers.Payloads;

namespace WeChatHandlers.Api;

/// <summary>
/// Feeds the send windows from the pushes the callback endpoint runs: a user message opens 5 sends in 48 hours,
/// entering the session 2 in a minute (protocol.md §7.1), by the rule of
/// <see cref="CustomerServiceWindowTrackerExtensions.OnPush"/>. Registered by <c>AddWeChatApi</c> through the
/// <see cref="IWeChatPushObserver"/> contract, so the endpoint needs no reference to this package.
/// </summary>
internal sealed class CustomerServiceWindowObserver(ICustomerServiceWindowTracker tracker, TimeProvider time) : IWeChatPushObserver
{
    public void OnPush(string? appId, in WeChatPayload payload)
    {
        if (appId is null || !payload.Contains(WeChatField.FromUserName) || !payload.Contains(WeChatField.MsgType))
        {
            return;
        }

        bool isEvent = payload.ValueEquals(WeChatField.MsgType, "event"u8);
        if (isEvent && !payload.ValueEquals(WeChatField.Event, "user_enter_tempsession"u8))
        {
            // Other events change no window: read nothing more.
            return;
        }

        // The window counts from the user's action (CreateTime); a missing or future stamp counts from arrival.
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        long createTime = payload.TryGetInt64(WeChatField.CreateTime, out long stamp) ? stamp : 0;
        if (createTime <= 0 || createTime > now)
        {
            createTime = now;
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(createTime);
        string openId = payload.GetString(WeChatField.FromUserName);
        if (isEvent)
        {
            tracker.OnSessionEntered(appId, openId, at);
        }
        else
        {
            tracker.OnUserMessage(appId, openId, at);
        }
    }
}
