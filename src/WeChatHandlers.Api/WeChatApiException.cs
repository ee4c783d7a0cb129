namespace WeChatHandlers.Api;

/// <summary>WeChat answered a call with a non-zero <c>errcode</c>.</summary>
public class WeChatApiException : Exception
{
    /// <summary>Creates the exception for one failed call.</summary>
    /// <param name="api">The API path that was called, e.g. <c>cgi-bin/message/custom/send</c>.</param>
    /// <param name="appId">The AppId the call was made for.</param>
    /// <param name="errorCode">WeChat's <c>errcode</c>.</param>
    /// <param name="errorMessage">WeChat's <c>errmsg</c>, when it sent one.</param>
    public WeChatApiException(string api, string appId, int errorCode, string? errorMessage)
        : this(api, appId, errorCode, errorMessage, Compose(api, appId, errorCode, errorMessage))
    {
    }

    /// <summary>Creates the exception with a message of the caller's own.</summary>
    /// <param name="api">The API path that was called (or would have been).</param>
    /// <param name="appId">The AppId the call was made for.</param>
    /// <param name="errorCode">WeChat's <c>errcode</c>, or the one WeChat would have returned.</param>
    /// <param name="errorMessage">WeChat's <c>errmsg</c>, when it sent one.</param>
    /// <param name="message">The exception message.</param>
    protected WeChatApiException(string api, string appId, int errorCode, string? errorMessage, string message)
        : base(message)
    {
        Api = api;
        AppId = appId;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    /// <summary>The API path that was called, e.g. <c>cgi-bin/message/custom/send</c>.</summary>
    public string Api { get; }

    /// <summary>The AppId of the mini program the call was made for.</summary>
    public string AppId { get; }

    /// <summary>WeChat's <c>errcode</c>; see <see cref="WeChatErrorCodes"/> for the named ones.</summary>
    public int ErrorCode { get; }

    /// <summary>WeChat's <c>errmsg</c>, when it sent one.</summary>
    public string? ErrorMessage { get; }

    /// <summary><c>45015</c>: the user's reply window is over.</summary>
    public bool IsReplyWindowOver => ErrorCode == WeChatErrorCodes.ReplyWindowOver;

    /// <summary><c>45047</c>: the window's send count is used up.</summary>
    public bool IsReplyCountExceeded => ErrorCode == WeChatErrorCodes.ReplyCountExceeded;

    /// <summary><c>40003</c>: the openid is not valid for this mini program.</summary>
    public bool IsInvalidOpenId => ErrorCode == WeChatErrorCodes.InvalidOpenId;

    /// <summary><c>48001</c>: the account is not authorized for the API.</summary>
    public bool IsApiUnauthorized => ErrorCode == WeChatErrorCodes.ApiUnauthorized;

    /// <summary><c>-1</c>: WeChat was busy (and stayed busy through the retries).</summary>
    public bool IsSystemBusy => ErrorCode == WeChatErrorCodes.SystemBusy;

    // WeChat's errmsg is text from the network: bounded and without control characters before it enters a message
    // that logs print (ErrorMessage keeps it as it came).
    private static string Compose(string api, string appId, int errorCode, string? errorMessage)
    {
        errorMessage = errorMessage is null ? null : LogValue.Clean(errorMessage);
        var name = WeChatErrorCodes.Describe(errorCode);
        var detail = (name, errorMessage) switch
        {
            (null, null or "") => "",
            (null, _) => $": {errorMessage}",
            (_, null or "") => $" ({name})",
            _ => $" ({name}): {errorMessage}",
        };
        return $"WeChat API {api} for AppId {appId} failed with errcode {errorCode}{detail}";
    }
}
