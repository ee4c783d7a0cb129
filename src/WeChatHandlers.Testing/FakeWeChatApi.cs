using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WeChatHandlers.Testing;

/// <summary>The API paths the fake serves, relative to its base address (as <see cref="FakeWeChatApiCall.Api"/> names them).</summary>
public static class WeChatApiPaths
{
    /// <summary><c>cgi-bin/stable_token</c>: the stable access token (the client's default).</summary>
    public const string StableToken = "cgi-bin/stable_token";

    /// <summary><c>cgi-bin/token</c>: the classic access token.</summary>
    public const string Token = "cgi-bin/token";

    /// <summary><c>cgi-bin/message/custom/send</c>: a customer-service message.</summary>
    public const string Send = "cgi-bin/message/custom/send";

    /// <summary><c>cgi-bin/message/custom/typing</c>: "typing…".</summary>
    public const string Typing = "cgi-bin/message/custom/typing";

    /// <summary><c>cgi-bin/media/upload</c>: temporary media upload.</summary>
    public const string UploadMedia = "cgi-bin/media/upload";

    /// <summary><c>cgi-bin/media/get</c>: temporary media download.</summary>
    public const string GetMedia = "cgi-bin/media/get";

    /// <summary>Every API the fake serves.</summary>
    public static IReadOnlyList<string> All { get; } = [StableToken, Token, Send, Typing, UploadMedia, GetMedia];
}

/// <summary>One request the fake received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Api">The path without its leading slash, e.g. <see cref="WeChatApiPaths.Send"/>.</param>
/// <param name="Query">The query parameters.</param>
/// <param name="Body">The body (for an upload: the uploaded file's bytes).</param>
/// <param name="ErrorCode">The errcode the fake answered (0 for success).</param>
public sealed record FakeWeChatApiCall(string Method, string Api, IReadOnlyDictionary<string, string> Query, byte[] Body, int ErrorCode)
{
    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>A customer-service message the app sent (<c>custom/send</c>), as WeChat received it.</summary>
/// <param name="ToUser">The <c>touser</c> openid.</param>
/// <param name="MsgType">text, image, link or miniprogrampage.</param>
/// <param name="Json">The request body.</param>
public sealed record SentCustomerServiceMessage(string ToUser, string MsgType, string Json)
{
    /// <summary>A field of the message's own object (<c>text.content</c> is <c>Get("content")</c>), or <see langword="null"/>.</summary>
    /// <param name="name">The field, e.g. <c>content</c>, <c>media_id</c>, <c>title</c>, <c>pagepath</c>.</param>
    public string? Get(string name)
    {
        using var document = JsonDocument.Parse(Json);
        return document.RootElement.TryGetProperty(MsgType, out var body) && body.ValueKind == JsonValueKind.Object &&
               body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }

    /// <summary>The text of a text message (<c>text.content</c>), else <see langword="null"/>.</summary>
    public string? Text => MsgType == "text" ? Get("content") : null;
}

/// <summary>A typing call (<c>custom/typing</c>).</summary>
/// <param name="ToUser">The openid.</param>
/// <param name="Command"><c>Typing</c> or <c>CancelTyping</c>.</param>
public sealed record SentTypingCommand(string ToUser, string Command);

/// <summary>A temporary media upload.</summary>
/// <param name="MediaId">The media_id the fake handed out.</param>
/// <param name="FileName">The part's file name.</param>
/// <param name="ContentType">The part's content type.</param>
/// <param name="Content">The bytes.</param>
public sealed record UploadedMedia(string MediaId, string? FileName, string? ContentType, byte[] Content);

/// <summary>
/// A stand-in for <c>api.weixin.qq.com</c> on real Kestrel at <c>127.0.0.1</c> (a free port): issues access tokens
/// (<c>stable_token</c> and <c>token</c>, for the account's AppId and AppSecret), checks the token on every other call,
/// records every customer-service send, typing command and media call, and answers errors when told to
/// (<see cref="FailNext"/>: 45015, 45047, 40001, -1 or any other errcode). Point the app at it with
/// <c>WeChat:ApiBaseAddress</c> (<see cref="BaseAddress"/>).
/// </summary>
public sealed class FakeWeChatApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WeChatTestAccount _account;
    private readonly ConcurrentQueue<FakeWeChatApiCall> _calls = new();
    private readonly ConcurrentQueue<SentCustomerServiceMessage> _messages = new();
    private readonly ConcurrentQueue<SentTypingCommand> _typing = new();
    private readonly ConcurrentQueue<UploadedMedia> _uploads = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Code, string Message)>> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (byte[] Content, string ContentType)> _media = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _messageWaiters = [];
    private readonly HashSet<string> _validTokens = new(StringComparer.Ordinal);
    private string? _currentToken;
    private int _issued;
    private int _uploadCount;

    private FakeWeChatApi(WebApplication app, WeChatTestAccount account)
    {
        _app = app;
        _account = account;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request, in arrival order, with the errcode it got.</summary>
    public IReadOnlyList<FakeWeChatApiCall> Calls => [.. _calls];

    /// <summary>Every customer-service message WeChat accepted (errcode 0), in order.</summary>
    public IReadOnlyList<SentCustomerServiceMessage> Messages => [.. _messages];

    /// <summary>Every typing command WeChat accepted.</summary>
    public IReadOnlyList<SentTypingCommand> TypingCommands => [.. _typing];

    /// <summary>Every media upload WeChat accepted.</summary>
    public IReadOnlyList<UploadedMedia> Uploads => [.. _uploads];

    /// <summary>Raised after each request is answered, on the request's thread (for printing what the app called).</summary>
    public event Action<FakeWeChatApiCall>? CallRecorded;

    /// <summary>How many access tokens were requested (either token API).</summary>
    public int TokenRequests => _calls.Count(c => c.Api is WeChatApiPaths.StableToken or WeChatApiPaths.Token);

    /// <summary>Starts the fake on a free loopback port.</summary>
    /// <param name="account">The AppId and AppSecret it issues tokens for; <see cref="WeChatTestAccount.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static Task<FakeWeChatApi> StartAsync(WeChatTestAccount? account = null, CancellationToken cancellationToken = default) =>
        StartAsync(account, 0, cancellationToken);

    /// <summary>Starts the fake on <c>127.0.0.1:<paramref name="port"/></c> (0: a free port), e.g. for a service run by hand.</summary>
    /// <param name="account">The AppId and AppSecret it issues tokens for; <see cref="WeChatTestAccount.Default"/> when <see langword="null"/>.</param>
    /// <param name="port">The port.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<FakeWeChatApi> StartAsync(WeChatTestAccount? account, int port, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        builder.Logging.ClearProviders();
        // The fake lives as long as its owner says: no reaction to the process's Ctrl+C or SIGTERM of its own.
        builder.Services.AddSingleton<IHostLifetime, OwnerLifetime>();
        var app = builder.Build();
        var fake = new FakeWeChatApi(app, account ?? WeChatTestAccount.Default);
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>
    /// Answers the next <paramref name="times"/> calls of <paramref name="api"/> with errcode <paramref name="errorCode"/>
    /// (for example 45015 reply window over, 45047 too many replies, 40001 token rejected, -1 system busy). Failures
    /// queue up in order; a failed call records nothing in <see cref="Messages"/>.
    /// </summary>
    /// <param name="api">One of <see cref="WeChatApiPaths"/>.</param>
    /// <param name="errorCode">The errcode.</param>
    /// <param name="errorMessage">The errmsg; WeChat's usual text for the known codes when <see langword="null"/>.</param>
    /// <param name="times">How many calls fail.</param>
    /// <exception cref="ArgumentException"><paramref name="api"/> is not an API the fake serves (a failure that could never match).</exception>
    public void FailNext(string api, int errorCode, string? errorMessage = null, int times = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(api);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);

        // "/cgi-bin/…" and "cgi-bin/…" name the same API; a name the fake does not serve would fail nothing, silently.
        api = api.TrimStart('/');
        if (!WeChatApiPaths.All.Contains(api))
        {
            throw new ArgumentException($"'{api}' is not an API the fake serves; use one of WeChatApiPaths ({string.Join(", ", WeChatApiPaths.All)}).", nameof(api));
        }

        var queue = _failures.GetOrAdd(api, _ => new ConcurrentQueue<(int, string)>());
        for (int i = 0; i < times; i++)
        {
            queue.Enqueue((errorCode, errorMessage ?? DescribeError(errorCode)));
        }
    }

    /// <summary>Serves <paramref name="content"/> for <c>media/get</c> of <paramref name="mediaId"/> (other ids get a small placeholder image).</summary>
    /// <param name="mediaId">The media_id.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="contentType">Their media type.</param>
    public void SetMedia(string mediaId, byte[] content, string contentType = "image/jpeg")
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaId);
        ArgumentNullException.ThrowIfNull(content);
        _media[mediaId] = (content, contentType);
    }

    /// <summary>
    /// Completes once <see cref="Messages"/> holds at least <paramref name="count"/> messages: for handlers that run after
    /// the push was acknowledged. Waits on the recording itself, not on a clock; bound it with <paramref name="cancellationToken"/>.
    /// </summary>
    /// <param name="count">How many messages.</param>
    /// <param name="cancellationToken">Gives up.</param>
    public Task WaitForMessagesAsync(int count, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            if (_messages.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _messageWaiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string api = (request.Path.Value ?? "").TrimStart('/');
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        byte[] body;
        string? fileName = null, fileType = null;
        if (api == WeChatApiPaths.UploadMedia && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var file = form.Files.GetFile("media");
            using var copy = new MemoryStream();
            if (file is not null)
            {
                await file.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
                fileName = file.FileName;
                fileType = file.ContentType;
            }

            body = copy.ToArray();
        }
        else
        {
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
            body = copy.ToArray();
        }

        var (code, message, answer) = Answer(api, query, body, fileName, fileType);
        var call = new FakeWeChatApiCall(request.Method, api, query, body, code);
        _calls.Enqueue(call);
        CallRecorded?.Invoke(call);
        if (answer is { } media)
        {
            context.Response.ContentType = media.ContentType;
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{query.GetValueOrDefault("media_id")}.jpg\"";
            await context.Response.Body.WriteAsync(media.Content, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
    }

    private (int Code, string Json, (byte[] Content, string ContentType)? Media) Answer(
        string api, Dictionary<string, string> query, byte[] body, string? fileName, string? fileType)
    {
        if (_failures.TryGetValue(api, out var failures) && failures.TryDequeue(out var failure))
        {
            if (failure.Code is 40001 or 40014 or 42001 && api is not (WeChatApiPaths.StableToken or WeChatApiPaths.Token))
            {
                // As at WeChat, a rejected token is gone: the client's refresh gets a new one.
                lock (_sync)
                {
                    if (query.TryGetValue("access_token", out var rejected))
                    {
                        _validTokens.Remove(rejected);
                    }

                    _currentToken = null;
                }
            }

            return (failure.Code, Error(failure.Code, failure.Message), null);
        }

        if (api is WeChatApiPaths.StableToken or WeChatApiPaths.Token)
        {
            return IssueToken(api, query, body);
        }

        if (!query.TryGetValue("access_token", out var token))
        {
            return (41001, Error(41001, "access_token missing"), null);
        }

        lock (_sync)
        {
            if (!_validTokens.Contains(token))
            {
                return (40001, Error(40001, DescribeError(40001)), null);
            }
        }

        switch (api)
        {
            case WeChatApiPaths.Send:
                {
                    using var json = JsonDocument.Parse(body);
                    var root = json.RootElement;
                    Record(new SentCustomerServiceMessage(
                        root.GetProperty("touser").GetString() ?? "", root.GetProperty("msgtype").GetString() ?? "", Encoding.UTF8.GetString(body)));
                    return (0, Ok, null);
                }

            case WeChatApiPaths.Typing:
                {
                    using var json = JsonDocument.Parse(body);
                    _typing.Enqueue(new SentTypingCommand(json.RootElement.GetProperty("touser").GetString() ?? "", json.RootElement.GetProperty("command").GetString() ?? ""));
                    return (0, Ok, null);
                }

            case WeChatApiPaths.UploadMedia:
                {
                    string mediaId = "media-" + Interlocked.Increment(ref _uploadCount).ToString(CultureInfo.InvariantCulture);
                    _uploads.Enqueue(new UploadedMedia(mediaId, fileName, fileType, body));
                    _media[mediaId] = (body, fileType ?? "image/jpeg");
                    long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                    return (0, $$"""{"type":"image","media_id":"{{mediaId}}","created_at":{{now}}}""", null);
                }

            case WeChatApiPaths.GetMedia:
                {
                    string mediaId = query.GetValueOrDefault("media_id") ?? "";
                    return (0, Ok, _media.TryGetValue(mediaId, out var stored) ? stored : (Encoding.UTF8.GetBytes("fake image " + mediaId), "image/jpeg"));
                }

            default:
                return (0, Ok, null);
        }
    }

    private (int, string, (byte[], string)?) IssueToken(string api, Dictionary<string, string> query, byte[] body)
    {
        string? appId, secret;
        if (api == WeChatApiPaths.StableToken)
        {
            using var json = JsonDocument.Parse(body);
            appId = json.RootElement.TryGetProperty("appid", out var a) ? a.GetString() : null;
            secret = json.RootElement.TryGetProperty("secret", out var s) ? s.GetString() : null;
        }
        else
        {
            appId = query.GetValueOrDefault("appid");
            secret = query.GetValueOrDefault("secret");
        }

        if (appId != _account.AppId)
        {
            return (40013, Error(40013, "invalid appid"), null);
        }

        if (secret != _account.AppSecret)
        {
            return (40001, Error(40001, "invalid credential, access_token is invalid or not latest"), null);
        }

        lock (_sync)
        {
            // stable_token in normal mode hands out the same token while it is valid; cgi-bin/token a new one each time.
            if (api == WeChatApiPaths.Token || _currentToken is null)
            {
                _currentToken = "fake-access-token-" + (++_issued).ToString(CultureInfo.InvariantCulture);
                _validTokens.Add(_currentToken);
            }

            return (0, $$"""{"access_token":"{{_currentToken}}","expires_in":7200}""", null);
        }
    }

    private void Record(SentCustomerServiceMessage message)
    {
        List<TaskCompletionSource> done = [];
        lock (_sync)
        {
            _messages.Enqueue(message);
            _messageWaiters.RemoveAll(w =>
            {
                if (_messages.Count < w.Count)
                {
                    return false;
                }

                done.Add(w.Done);
                return true;
            });
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    private const string Ok = """{"errcode":0,"errmsg":"ok"}""";

    private static string Error(int code, string message) =>
        $$"""{"errcode":{{code.ToString(CultureInfo.InvariantCulture)}},"errmsg":{{JsonSerializer.Serialize(message, FakeApiJson.Default.String)}}}""";

    private static string DescribeError(int code) => code switch
    {
        -1 => "system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40003 => "invalid openid",
        42001 => "access_token expired",
        45015 => "response out of time limit or subscription is canceled",
        45047 => "out of response count limit",
        48001 => "api unauthorized",
        _ => "error " + code.ToString(CultureInfo.InvariantCulture),
    };
}

internal sealed class OwnerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class FakeApiJson : System.Text.Json.Serialization.JsonSerializerContext;
