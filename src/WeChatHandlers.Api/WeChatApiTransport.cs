using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WeChatHandlers.Api.Json;

namespace WeChatHandlers.Api;

/// <summary>What one WeChat answer meant: a value, or an <c>errcode</c>.</summary>
internal readonly record struct WeChatOutcome<T>(T? Value, int ErrCode, string? ErrMsg);

/// <summary>
/// Sends requests to WeChat through the named <see cref="HttpClient"/>: enforces the request timeout (on the
/// <see cref="TimeProvider"/>), retries <c>-1</c> (busy) with a doubling backoff and turns every other non-zero
/// <c>errcode</c> into a <see cref="WeChatApiException"/>.
/// </summary>
internal sealed class WeChatApiTransport(
    IHttpClientFactory httpClientFactory,
    IOptions<WeChatApiOptions> options,
    TimeProvider time,
    ILogger<WeChatApiTransport> logger)
{
    /// <summary>The name of the <see cref="HttpClient"/> registered with <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "WeChatHandlers.Api";

    private readonly WeChatApiOptions _options = options.Value;

    /// <summary>Sends a request whose answer is a JSON object with <c>errcode</c>/<c>errmsg</c>.</summary>
    public Task<T> SendJsonAsync<T>(string api, string appId, Func<HttpRequestMessage> build, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class, IWeChatResult
        => SendAsync(api, appId, build, HttpCompletionOption.ResponseContentRead,
            async (response, ct) =>
            {
                using (response)
                {
                    var result = await ReadJsonAsync(api, appId, response, typeInfo, ct).ConfigureAwait(false);
                    return new WeChatOutcome<T>(result, result.ErrCode, result.ErrMsg);
                }
            },
            cancellationToken);

    /// <summary>
    /// Sends a request (built afresh per attempt) and lets <paramref name="interpret"/> read the answer. The interpreter
    /// owns the response: it disposes it unless it hands it out with the value.
    /// </summary>
    public async Task<T> SendAsync<T>(
        string api,
        string appId,
        Func<HttpRequestMessage> build,
        HttpCompletionOption completion,
        Func<HttpResponseMessage, CancellationToken, Task<WeChatOutcome<T>>> interpret,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var outcome = await SendOnceAsync(api, appId, build, completion, interpret, cancellationToken).ConfigureAwait(false);
            if (outcome.ErrCode == WeChatErrorCodes.Ok)
            {
                return outcome.Value!;
            }

            if (outcome.ErrCode == WeChatErrorCodes.SystemBusy && attempt < _options.BusyRetryCount)
            {
                var delay = _options.BusyRetryDelay * Math.Pow(2, attempt);
                Log.BusyRetry(logger, api, appId, attempt + 1, delay);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            Log.CallFailed(logger, api, appId, outcome.ErrCode, outcome.ErrMsg);
            throw new WeChatApiException(api, appId, outcome.ErrCode, outcome.ErrMsg);
        }
    }

    /// <summary>Reads a JSON answer; an unreadable one is an <see cref="HttpRequestException"/>, never a silent default.</summary>
    public static async Task<T> ReadJsonAsync<T>(string api, string appId, HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false)
                    ?? throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {api} for AppId {appId} answered JSON null.");
            }
        }
        catch (JsonException e)
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {api} for AppId {appId} answered a body that is not the expected JSON.", e);
        }
    }

    // One attempt, the answer's body included: RequestTimeout bounds the headers and what the interpreter reads (a JSON
    // answer, or a media download's error body); a media stream handed out with the value is read at the caller's pace.
    private async Task<WeChatOutcome<T>> SendOnceAsync<T>(
        string api,
        string appId,
        Func<HttpRequestMessage> build,
        HttpCompletionOption completion,
        Func<HttpResponseMessage, CancellationToken, Task<WeChatOutcome<T>>> interpret,
        CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        using var request = build();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var response = await client.SendAsync(request, completion, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var status = response.StatusCode;
                response.Dispose();
                Log.HttpFailure(logger, api, appId, (int)status);
                throw new HttpRequestException(HttpRequestError.Unknown, $"WeChat API {api} for AppId {appId} answered HTTP {(int)status} {status}.", statusCode: status);
            }

            return await interpret(response, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.CallTimedOut(logger, api, appId, _options.RequestTimeout);
            throw new TimeoutException($"WeChat API {api} for AppId {appId} did not answer within {_options.RequestTimeout}.", e);
        }
    }

    /// <summary>The request URI of <paramref name="api"/> with the access token (and more) in the query.</summary>
    public static Uri ApiUri(string api, string accessToken, string? extraQuery = null)
        => new($"{api}?access_token={Uri.EscapeDataString(accessToken)}{extraQuery}", UriKind.Relative);

    /// <summary>A JSON request body, written as raw UTF-8.</summary>
    public static HttpContent JsonContent<T>(T value, JsonTypeInfo<T> typeInfo) => JsonContent(WeChatJsonWriter.Serialize(value, typeInfo));

    /// <summary>A JSON request body from bytes already serialized (once, and reused by every attempt).</summary>
    public static HttpContent JsonContent(byte[] utf8Json)
    {
        var content = new ByteArrayContent(utf8Json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
