using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WeChatHandlers.Api.Json;

namespace WeChatHandlers.Api;

/// <summary>The <see cref="ICustomerServiceClient"/> of one mini program.</summary>
internal sealed class CustomerServiceClient : ICustomerServiceClient
{
    internal const string SendApi = "cgi-bin/message/custom/send";
    internal const string TypingApi = "cgi-bin/message/custom/typing";
    internal const string UploadApi = "cgi-bin/media/upload";
    internal const string MediaGetApi = "cgi-bin/media/get";

    // A media error body is a short JSON object; anything longer is not one.
    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly WeChatApiTransport _transport;
    private readonly IAccessTokenProvider _tokens;
    private readonly ICustomerServiceWindowTracker _windows;
    private readonly bool _enforceWindows;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CustomerServiceClient(
        string appId,
        WeChatApiTransport transport,
        IAccessTokenProvider tokens,
        ICustomerServiceWindowTracker windows,
        bool enforceWindows,
        TimeProvider time,
        ILogger logger)
    {
        AppId = appId;
        _transport = transport;
        _tokens = tokens;
        _windows = windows;
        _enforceWindows = enforceWindows;
        _time = time;
        _logger = logger;
    }

    public string AppId { get; }

    public Task SendTextAsync(string openId, string content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(openId);
        ArgumentException.ThrowIfNullOrEmpty(content);
        return SendMessageAsync(openId, new SendTextRequest(openId, "text", new TextBody(content)), WeChatApiJsonContext.Wire.SendTextRequest, cancellationToken);
    }

    public Task SendImageAsync(string openId, string mediaId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(openId);
        ArgumentException.ThrowIfNullOrEmpty(mediaId);
        return SendMessageAsync(openId, new SendImageRequest(openId, "image", new ImageBody(mediaId)), WeChatApiJsonContext.Wire.SendImageRequest, cancellationToken);
    }

    public Task SendLinkAsync(string openId, LinkCard link, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(openId);
        ArgumentNullException.ThrowIfNull(link);
        var body = new LinkBody(link.Title, link.Description, link.Url, link.ThumbUrl);
        return SendMessageAsync(openId, new SendLinkRequest(openId, "link", body), WeChatApiJsonContext.Wire.SendLinkRequest, cancellationToken);
    }

    public Task SendMiniProgramPageAsync(string openId, MiniProgramCard page, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(openId);
        ArgumentNullException.ThrowIfNull(page);
        var body = new MiniProgramPageBody(page.Title, page.PagePath, page.ThumbMediaId);
        return SendMessageAsync(openId, new SendMiniProgramPageRequest(openId, "miniprogrampage", body), WeChatApiJsonContext.Wire.SendMiniProgramPageRequest, cancellationToken);
    }

    public async Task SetTypingAsync(string openId, TypingCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(openId);
        var wire = command switch
        {
            TypingCommand.Typing => "Typing",
            TypingCommand.CancelTyping => "CancelTyping",
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Typing or CancelTyping."),
        };

        // Typing uses no quota but needs an open window: refuse only a window known to be over.
        if (_enforceWindows && _windows.GetWindow(AppId, openId) is { } window && window.ExpiresAt <= _time.GetUtcNow())
        {
            Log.WindowClosed(_logger, TypingApi, AppId, CustomerServiceWindowState.Over, WeChatErrorCodes.ReplyWindowOver);
            throw new CustomerServiceWindowClosedException(TypingApi, AppId, WeChatErrorCodes.ReplyWindowOver, window);
        }

        var bytes = WeChatJsonWriter.Serialize(new TypingRequest(openId, wire), WeChatApiJsonContext.Wire.TypingRequest);
        await CallJsonAsync(TypingApi, token => JsonPost(TypingApi, token, bytes), WeChatApiJsonContext.Wire.WeChatResult, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TemporaryMedia> UploadTempMediaAsync(Stream content, string fileName, string contentType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        var mediaType = MediaTypeHeaderValue.Parse(contentType);

        // Buffered once so a retry (busy, refreshed token) can send the same bytes again without owning the caller's stream.
        var bytes = await ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        var safeName = SanitizeFileName(fileName);

        var result = await CallJsonAsync(
            UploadApi,
            token => new HttpRequestMessage(HttpMethod.Post, WeChatApiTransport.ApiUri(UploadApi, token, "&type=image"))
            {
                Content = MultipartImage(bytes, safeName, mediaType),
            },
            WeChatApiJsonContext.Wire.MediaUploadResult,
            cancellationToken).ConfigureAwait(false);

        return string.IsNullOrEmpty(result.MediaId)
            ? throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {UploadApi} for AppId {AppId} answered without a media_id.")
            : new TemporaryMedia(result.MediaId, result.Type ?? "image", DateTimeOffset.FromUnixTimeSeconds(result.CreatedAt));
    }

    public Task<TemporaryMediaContent> GetTempMediaAsync(string mediaId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaId);
        var query = $"&media_id={Uri.EscapeDataString(mediaId)}";
        return CallWithTokenAsync(
            MediaGetApi,
            token => _transport.SendAsync(
                MediaGetApi,
                AppId,
                () => new HttpRequestMessage(HttpMethod.Get, WeChatApiTransport.ApiUri(MediaGetApi, token, query)),
                HttpCompletionOption.ResponseHeadersRead,
                ReadMediaAsync,
                cancellationToken),
            cancellationToken);
    }

    private async Task SendMessageAsync<T>(string openId, T request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var reservation = ReserveSend(openId);
        var bytes = WeChatJsonWriter.Serialize(request, typeInfo);
        try
        {
            await CallJsonAsync(SendApi, token => JsonPost(SendApi, token, bytes), WeChatApiJsonContext.Wire.WeChatResult, cancellationToken).ConfigureAwait(false);
        }
        catch (WeChatApiException e) when (e.ErrorCode is WeChatErrorCodes.ReplyWindowOver or WeChatErrorCodes.ReplyCountExceeded)
        {
            _windows.OnSendRefused(AppId, openId, e.ErrorCode);
            throw;
        }
        catch
        {
            // Refused for another reason, or the outcome is unknown: give the quota back, since the tracker refuses
            // only what it knows WeChat would refuse.
            _windows.CancelReservation(AppId, openId, reservation);
            throw;
        }
    }

    private CustomerServiceWindowReservation ReserveSend(string openId)
    {
        if (!_enforceWindows)
        {
            return default;
        }

        var reservation = _windows.TryReserveSend(AppId, openId);
        var code = reservation.State switch
        {
            CustomerServiceWindowState.Over => WeChatErrorCodes.ReplyWindowOver,
            CustomerServiceWindowState.Spent => WeChatErrorCodes.ReplyCountExceeded,
            _ => 0,
        };
        if (code != 0)
        {
            Log.WindowClosed(_logger, SendApi, AppId, reservation.State, code);
            throw new CustomerServiceWindowClosedException(SendApi, AppId, code, reservation.Window!.Value);
        }

        return reservation;
    }

    private Task<T> CallJsonAsync<T>(string api, Func<string, HttpRequestMessage> build, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class, IWeChatResult
        => CallWithTokenAsync(api, token => _transport.SendJsonAsync(api, AppId, () => build(token), typeInfo, cancellationToken), cancellationToken);

    /// <summary>Runs <paramref name="call"/> with the current token; when WeChat rejects it, refreshes once and retries once.</summary>
    private async Task<T> CallWithTokenAsync<T>(string api, Func<string, Task<T>> call, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAccessTokenAsync(AppId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(token).ConfigureAwait(false);
        }
        catch (WeChatApiException e) when (WeChatErrorCodes.IsAccessTokenRejection(e.ErrorCode))
        {
            Log.TokenRejected(_logger, api, AppId, e.ErrorCode);
        }

        var fresh = await _tokens.RefreshAccessTokenAsync(AppId, token, cancellationToken).ConfigureAwait(false);
        return await call(fresh).ConfigureAwait(false);
    }

    private static HttpRequestMessage JsonPost(string api, string token, byte[] body)
        => new(HttpMethod.Post, WeChatApiTransport.ApiUri(api, token)) { Content = WeChatApiTransport.JsonContent(body) };

    /// <summary>
    /// The upload body. Written by hand because WeChat's parser is strict: the boundary unquoted in the
    /// <c>Content-Type</c> header, and the part's name and filename quoted, with no <c>filename*</c>.
    /// </summary>
    internal static HttpContent MultipartImage(byte[] bytes, string fileName, MediaTypeHeaderValue mediaType)
    {
        var boundary = "----WeChatHandlers" + Guid.NewGuid().ToString("N");
        var multipart = new MultipartContent("form-data", boundary);
        multipart.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        var part = new ByteArrayContent(bytes);
        part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data")
        {
            Name = "\"media\"",
            FileName = $"\"{fileName}\"",
        };
        part.Headers.ContentType = mediaType;
        multipart.Add(part);
        return multipart;
    }

    internal static string SanitizeFileName(string fileName)
        => string.Create(fileName.Length, fileName, static (span, name) =>
        {
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                span[i] = c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '_';
            }
        });

    private async Task<WeChatOutcome<TemporaryMediaContent>> ReadMediaAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var declaredJson = response.Content.Headers.ContentType?.MediaType is { } type
                && (type.Contains("json", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/", StringComparison.OrdinalIgnoreCase));

            // Peek one byte: an error is a JSON object even when the content type claims otherwise (protocol.md §7.4).
            var first = new byte[1];
            var read = await stream.ReadAsync(first, cancellationToken).ConfigureAwait(false);
            if (read == 1 && (first[0] == (byte)'{' || declaredJson))
            {
                var body = await ReadBoundedAsync(first, stream, cancellationToken).ConfigureAwait(false);
                await stream.DisposeAsync().ConfigureAwait(false);
                response.Dispose();
                WeChatResult? error;
                try
                {
                    error = JsonSerializer.Deserialize(body, WeChatApiJsonContext.Wire.WeChatResult);
                }
                catch (JsonException e)
                {
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {MediaGetApi} for AppId {AppId} answered JSON-looking media that is not an error object.", e);
                }

                return error is { ErrCode: not 0 }
                    ? new WeChatOutcome<TemporaryMediaContent>(null, error.ErrCode, error.ErrMsg)
                    : throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {MediaGetApi} for AppId {AppId} answered a JSON body without an errcode instead of media.");
            }

            if (read == 0)
            {
                // No media is zero bytes: an empty answer is a failure to report, not a file to hand out.
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {MediaGetApi} for AppId {AppId} answered an empty body instead of media.");
            }

            return new WeChatOutcome<TemporaryMediaContent>(new TemporaryMediaContent(response, new PrefixedReadStream(first, stream)), 0, null);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<byte[]> ReadBoundedAsync(byte[] first, Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        buffer.Write(first);
        var chunk = new byte[4096];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxErrorBodyBytes)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {MediaGetApi} for AppId {AppId} answered a JSON body larger than {MaxErrorBodyBytes} bytes instead of media.");
            }
        }

        return buffer.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

}

/// <summary>Creates and caches one <see cref="CustomerServiceClient"/> per configured AppId.</summary>
internal sealed class CustomerServiceClientFactory(
    WeChatAccounts accounts,
    WeChatApiTransport transport,
    IAccessTokenProvider tokens,
    ICustomerServiceWindowTracker windows,
    IOptions<WeChatApiOptions> options,
    TimeProvider time,
    ILogger<CustomerServiceClient> logger) : ICustomerServiceClientFactory
{
    private readonly ConcurrentDictionary<string, CustomerServiceClient> _clients = new(StringComparer.Ordinal);

    public ICustomerServiceClient ForAccount(string appId)
    {
        var account = accounts.Get(appId);
        return _clients.GetOrAdd(account.AppId, id => new CustomerServiceClient(
            id, transport, tokens, windows, options.Value.EnforceCustomerServiceWindows, time, logger));
    }
}
