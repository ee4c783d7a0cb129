namespace WeChatHandlers.Api;

/// <summary>
/// Learns each user's customer-service send window from the pushes the framework receives, so the client can refuse a
/// send that WeChat would reject (protocol.md §7.1). Windows are per mini program (AppId) and user (openid).
/// </summary>
/// <remarks>
/// The callback endpoint calls <see cref="OnUserMessage"/> for every user message and <see cref="OnSessionEntered"/>
/// for every <c>user_enter_tempsession</c> event. Quotas do not add up: each action resets the remaining count to its
/// own maximum and extends the window to the later of the two ends. Users the tracker has not seen are let through,
/// since the process may have restarted since their last message.
/// </remarks>
public interface ICustomerServiceWindowTracker
{
    /// <summary>The user sent a message at <paramref name="at"/> (the push's <c>CreateTime</c>): 5 messages within 48 h.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="openId">The user's openid (the push's <c>FromUserName</c>).</param>
    /// <param name="at">When the user acted.</param>
    void OnUserMessage(string appId, string openId, DateTimeOffset at);

    /// <summary>The user entered the customer-service session at <paramref name="at"/>: 2 messages within 1 minute.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="openId">The user's openid (the push's <c>FromUserName</c>).</param>
    /// <param name="at">When the user acted.</param>
    void OnSessionEntered(string appId, string openId, DateTimeOffset at);

    /// <summary>The window as currently known, or <see langword="null"/> when the user is unknown.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="openId">The user's openid.</param>
    CustomerServiceWindow? GetWindow(string appId, string openId);

    /// <summary>Takes one message from the user's window, atomically, unless it is known to be spent or over.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="openId">The user's openid.</param>
    CustomerServiceWindowReservation TryReserveSend(string appId, string openId);

    /// <summary>Gives a reserved message back because the send did not happen (or may not have).</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="openId">The user's openid.</param>
    /// <param name="reservation">What <see cref="TryReserveSend"/> returned.</param>
    void CancelReservation(string appId, string openId, CustomerServiceWindowReservation reservation);

    /// <summary>WeChat refused a send with 45015 (window over) or 45047 (count used up): later sends fail fast.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="openId">The user's openid.</param>
    /// <param name="errorCode">The <c>errcode</c> WeChat answered.</param>
    void OnSendRefused(string appId, string openId, int errorCode);
}
