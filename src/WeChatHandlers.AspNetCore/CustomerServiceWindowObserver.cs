using WeChatHandlers.Api;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// Feeds the API client's send windows from the pushes that arrive: a user message opens 5 sends in 48 hours,
/// entering the session 2 in a minute (protocol.md §7.1). Always registered by the endpoint; does nothing unless the
/// API client (and so its tracker) is registered too.
/// </summary>
internal sealed class CustomerServiceWindowObserver(IServiceProvider services) : IWeChatPushObserver
{
    private readonly ICustomerServiceWindowTracker? _tracker = services.GetService(typeof(ICustomerServiceWindowTracker)) as ICustomerServiceWindowTracker;
    private readonly TimeProvider _time = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;

    public void OnPush(string? appId, in WeChatPayload payload)
    {
        if (_tracker is not { } tracker || appId is null || !payload.Contains(WeChatField.FromUserName))
        {
            return;
        }

        // The window counts from the user's action (CreateTime); a missing or future stamp counts from arrival.
        var now = _time.GetUtcNow();
        long createTime = payload.GetInt64(WeChatField.CreateTime);
        var at = createTime <= 0 || createTime > now.ToUnixTimeSeconds() ? now : DateTimeOffset.FromUnixTimeSeconds(createTime);
        if (!payload.ValueEquals(WeChatField.MsgType, "event"u8))
        {
            tracker.OnUserMessage(appId, payload.GetString(WeChatField.FromUserName), at);
        }
        else if (payload.ValueEquals(WeChatField.Event, "user_enter_tempsession"u8))
        {
            tracker.OnSessionEntered(appId, payload.GetString(WeChatField.FromUserName), at);
        }
    }
}

