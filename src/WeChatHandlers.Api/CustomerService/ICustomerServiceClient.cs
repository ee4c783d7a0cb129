namespace WeChatHandlers.Api;

/// <summary>
/// Sends customer-service messages to users of one mini program (protocol.md §7). Resolve it directly for the default
/// account, or through <see cref="ICustomerServiceClientFactory"/> for another AppId.
/// </summary>
/// <remarks>
/// Every failure is raised: a non-zero <c>errcode</c> as <see cref="WeChatApiException"/>, a send the user's window no
/// longer allows as <see cref="CustomerServiceWindowClosedException"/> (without calling WeChat), a timeout as
/// <see cref="TimeoutException"/>, a transport or HTTP failure as <see cref="HttpRequestException"/>.
/// </remarks>
public interface ICustomerServiceClient
{
    /// <summary>The AppId of the mini program this client acts for.</summary>
    string AppId { get; }

    /// <summary>Sends a text message. The text is sent as raw UTF-8, never <c>\u</c>-escaped.</summary>
    /// <param name="openId">The user's openid.</param>
    /// <param name="content">The text; it may embed a mini program link (<c>&lt;a data-miniprogram-appid=… &gt;</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SendTextAsync(string openId, string content, CancellationToken cancellationToken = default);

    /// <summary>Sends an image uploaded with <see cref="UploadTempMediaAsync"/>.</summary>
    /// <param name="openId">The user's openid.</param>
    /// <param name="mediaId">The image's media_id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SendImageAsync(string openId, string mediaId, CancellationToken cancellationToken = default);

    /// <summary>Sends a link card.</summary>
    /// <param name="openId">The user's openid.</param>
    /// <param name="link">The link.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SendLinkAsync(string openId, LinkCard link, CancellationToken cancellationToken = default);

    /// <summary>Sends a mini program card.</summary>
    /// <param name="openId">The user's openid.</param>
    /// <param name="page">The card.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SendMiniProgramPageAsync(string openId, MiniProgramCard page, CancellationToken cancellationToken = default);

    /// <summary>Shows or hides "typing…" to the user (needs an interaction within the last 30 s).</summary>
    /// <param name="openId">The user's openid.</param>
    /// <param name="command">Typing or CancelTyping.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SetTypingAsync(string openId, TypingCommand command, CancellationToken cancellationToken = default);

    /// <summary>Uploads an image as temporary media (valid 3 days), as the multipart part named <c>media</c>.</summary>
    /// <param name="content">The image bytes; read to the end (not disposed).</param>
    /// <param name="fileName">The file name WeChat sees, e.g. <c>photo.jpg</c>; characters outside printable ASCII become <c>_</c>.</param>
    /// <param name="contentType">The image's media type, e.g. <c>image/jpeg</c> or <c>image/png</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<TemporaryMedia> UploadTempMediaAsync(Stream content, string fileName, string contentType, CancellationToken cancellationToken = default);

    /// <summary>
    /// Downloads temporary media (e.g. an image a user sent). An error WeChat answers as JSON instead of the bytes is
    /// raised as <see cref="WeChatApiException"/>.
    /// </summary>
    /// <param name="mediaId">The media_id.</param>
    /// <param name="cancellationToken">Cancels the call until the response headers (and error check) are in.</param>
    Task<TemporaryMediaContent> GetTempMediaAsync(string mediaId, CancellationToken cancellationToken = default);
}

/// <summary>Gives the <see cref="ICustomerServiceClient"/> of any configured mini program.</summary>
public interface ICustomerServiceClientFactory
{
    /// <summary>The client of the mini program <paramref name="appId"/>.</summary>
    /// <param name="appId">A configured AppId (<c>WeChat:AppId</c> or one in <c>WeChat:Accounts</c>).</param>
    /// <exception cref="ArgumentException">The AppId is not configured.</exception>
    ICustomerServiceClient ForAccount(string appId);
}
