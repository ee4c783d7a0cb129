using WeChatHandlers.Api;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// Feeds the API client's send windows from the pushes that arrive: a user message opens 5 sends in 48 hours,
/// entering the session 2 in a minute (protocol.md §7.1). Registered when both the endpoint and the API client are.
/// </summary>
internal sealed class CustomerServiceWindowObserver(ICustomerServiceWindowTracker tracker, TimeProvider time) : IWeChatPushObserver
{
    public void OnPush(string? appId, in WeChatPayload payload)
    {
        if (appId is null || !payload.Contains(WeChatField.FromUserName))
        {
            return;
        }

        // The window counts from the user's action (CreateTime); a missing or future stamp counts from arrival.
        var now = time.GetUtcNow();
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

/// <summary>Forwards to <see cref="CustomerServiceWindowObserver"/> when the API client is registered; otherwise does nothing.</summary>
internal sealed class CustomerServiceWindowPushObserver(IServiceProvider services) : IWeChatPushObserver
{
    private readonly CustomerServiceWindowObserver? _inner =
        services.GetService(typeof(ICustomerServiceWindowTracker)) is ICustomerServiceWindowTracker tracker
            ? new(tracker, services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System)
            : null;

    public void OnPush(string? appId, in WeChatPayload payload) => _inner?.OnPush(appId, payload);
}
