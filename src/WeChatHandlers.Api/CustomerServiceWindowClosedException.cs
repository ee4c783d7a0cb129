namespace WeChatHandlers.Api;

/// <summary>
/// A send was refused locally, without calling WeChat, because the user's customer-service window is known to be
/// over (<see cref="WeChatErrorCodes.ReplyWindowOver"/>) or spent (<see cref="WeChatErrorCodes.ReplyCountExceeded"/>).
/// </summary>
/// <remarks>
/// It derives from <see cref="WeChatApiException"/> and carries the code WeChat would have answered, so one
/// <c>catch</c> on <see cref="WeChatApiException.IsReplyWindowOver"/> handles both the local and the remote refusal.
/// </remarks>
public sealed class CustomerServiceWindowClosedException : WeChatApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="api">The API that was not called.</param>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="errorCode"><see cref="WeChatErrorCodes.ReplyWindowOver"/> or <see cref="WeChatErrorCodes.ReplyCountExceeded"/>.</param>
    /// <param name="window">The window as the tracker knows it.</param>
    public CustomerServiceWindowClosedException(string api, string appId, int errorCode, CustomerServiceWindow window)
        : base(api, appId, errorCode, null, Compose(api, appId, errorCode, window))
    {
        Window = window;
    }

    /// <summary>The window as the tracker knew it when the send was refused.</summary>
    public CustomerServiceWindow Window { get; }

    private static string Compose(string api, string appId, int errorCode, CustomerServiceWindow window)
        => errorCode == WeChatErrorCodes.ReplyCountExceeded
            ? $"WeChat API {api} for AppId {appId} not called: the user's customer-service window allows no more messages until the user writes again (errcode {errorCode} expected; window open until {window.ExpiresAt:O})."
            : $"WeChat API {api} for AppId {appId} not called: the user's customer-service window closed at {window.ExpiresAt:O} (errcode {errorCode} expected).";
}
