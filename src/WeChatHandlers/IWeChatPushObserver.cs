using WeChatHandlers.Payloads;

namespace WeChatHandlers;

/// <summary>
/// Sees every accepted push that is about to run for the first time (after dedupe, before dispatch). The API client
/// registers one to learn its send windows; applications may add their own.
/// </summary>
public interface IWeChatPushObserver
{
    /// <summary>Called once per message run. Must be quick and must not throw.</summary>
    /// <param name="appId">The account's AppId, when configured.</param>
    /// <param name="payload">The plaintext push, valid only during the call.</param>
    void OnPush(string? appId, in WeChatPayload payload);
}
