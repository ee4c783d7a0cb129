using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Api.Tests;

/// <summary>One request as the fake received it.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string ApiName => Path.TrimStart('/');
}

/// <summary>One scripted answer.</summary>
public sealed record FakeResponse(int Status, byte[] Body, string ContentType, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>When set, the body's first byte is sent (and flushed) at once and the rest once this completes.</summary>
    public Task? RestOfBody { get; init; }

    public static FakeResponse Json(string json, int status = 200)
        => new(status, Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8");

    public static FakeResponse Error(int errcode, string errmsg) => Json($"{{\"errcode\":{errcode},\"errmsg\":\"{errmsg}\"}}");
}

/// <summary>
/// A fake WeChat API on real Kestrel bound to 127.0.0.1: records every request, issues access tokens like
/// <c>stable_token</c> and <c>cgi-bin/token</c> do, checks the token on every other call, and answers scripted
/// responses per path before its defaults.
/// </summary>
public sealed class FakeWeChatApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeResponse>> _scripted = new();
    private readonly ConcurrentDictionary<string, Func<RecordedRequest, CancellationToken, Task<FakeResponse>>> _handlers = new();
    private readonly Lock _tokenLock = new();
    private readonly Dictionary<string, string> _currentToken = new();
    private readonly HashSet<string> _validTokens = [];
    private readonly HashSet<string> _expiredTokens = [];
    private int _issued;

    private FakeWeChatApi(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>AppId → AppSecret the token endpoints accept.</summary>
    public Dictionary<string, string> Secrets { get; } = new() { ["wx-app-1"] = "secret-1", ["wx-app-2"] = "secret-2" };

    public int TokenExpiresIn { get; set; } = 7200;

    /// <summary>When set, token answers wait for it: lets a test pile up concurrent callers first.</summary>
    public TaskCompletionSource? TokenGate { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeWeChatApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeWeChatApi(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseAddress = new Uri(address);
        Assert.Equal("127.0.0.1", fake.BaseAddress.Host);
        return fake;
    }

    public IReadOnlyList<RecordedRequest> RequestsTo(string api) => [.. _requests.Where(r => r.ApiName == api)];

    public int Count(string api) => _requests.Count(r => r.ApiName == api);

    /// <summary>Answers the next call of <paramref name="api"/> with <paramref name="response"/> (queued, one-shot).</summary>
    public void Enqueue(string api, FakeResponse response)
        => _scripted.GetOrAdd(api, _ => new ConcurrentQueue<FakeResponse>()).Enqueue(response);

    /// <summary>Answers every call of <paramref name="api"/> through <paramref name="handler"/>.</summary>
    public void Handle(string api, Func<RecordedRequest, CancellationToken, Task<FakeResponse>> handler) => _handlers[api] = handler;

    /// <summary>Every token issued so far stops working (42001); the next fetch issues a new one.</summary>
    public void ExpireAllTokens()
    {
        lock (_tokenLock)
        {
            _expiredTokens.UnionWith(_validTokens);
            _validTokens.Clear();
            _currentToken.Clear();
        }
    }

    /// <summary>Waits (bounded) until <paramref name="api"/> was called at least <paramref name="count"/> times.</summary>
    public async Task WaitForAsync(string api, int count)
    {
        await Eventually.HoldsAsync(() => Count(api) >= count, $"{api} called {count} times");
        Assert.True(Count(api) >= count, $"{api} was called {Count(api)} times, expected at least {count}.");
    }

    public async ValueTask DisposeAsync()
    {
        TokenGate?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            buffer.ToArray());
        _requests.Enqueue(request);

        var response = await AnswerAsync(request, context.RequestAborted);
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.RestOfBody is { } rest && response.Body.Length > 1)
        {
            await context.Response.Body.WriteAsync(response.Body.AsMemory(0, 1), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await rest.WaitAsync(context.RequestAborted);
            await context.Response.Body.WriteAsync(response.Body.AsMemory(1), context.RequestAborted);
            return;
        }

        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }

    private async Task<FakeResponse> AnswerAsync(RecordedRequest request, CancellationToken aborted)
    {
        var api = request.ApiName;
        if (api is "cgi-bin/stable_token" or "cgi-bin/token")
        {
            if (TokenGate is { } gate)
            {
                await gate.Task.WaitAsync(aborted);
            }

            if (_scripted.TryGetValue(api, out var tokenQueue) && tokenQueue.TryDequeue(out var scriptedToken))
            {
                return scriptedToken;
            }

            return IssueToken(request);
        }

        if (!request.Query.TryGetValue("access_token", out var token))
        {
            return FakeResponse.Error(41001, "access_token missing");
        }

        lock (_tokenLock)
        {
            if (_expiredTokens.Contains(token))
            {
                return FakeResponse.Error(42001, "access_token expired");
            }

            if (!_validTokens.Contains(token))
            {
                return FakeResponse.Error(40001, "invalid credential, access_token is invalid or not latest");
            }
        }

        if (_scripted.TryGetValue(api, out var queue) && queue.TryDequeue(out var scripted))
        {
            return scripted;
        }

        if (_handlers.TryGetValue(api, out var handler))
        {
            return await handler(request, aborted);
        }

        return api switch
        {
            "cgi-bin/media/upload" => FakeResponse.Json("{\"type\":\"image\",\"media_id\":\"MEDIA-UPLOADED\",\"created_at\":1714112445}"),
            _ => FakeResponse.Json("{\"errcode\":0,\"errmsg\":\"ok\"}"),
        };
    }

    private FakeResponse IssueToken(RecordedRequest request)
    {
        string? appId, secret;
        if (request.ApiName == "cgi-bin/stable_token")
        {
            using var body = JsonDocument.Parse(request.Body);
            appId = body.RootElement.GetProperty("appid").GetString();
            secret = body.RootElement.GetProperty("secret").GetString();
        }
        else
        {
            appId = request.Query.GetValueOrDefault("appid");
            secret = request.Query.GetValueOrDefault("secret");
        }

        if (appId is null || !Secrets.TryGetValue(appId, out var expected))
        {
            return FakeResponse.Error(40013, "invalid appid");
        }

        if (secret != expected)
        {
            return FakeResponse.Error(40001, "invalid credential");
        }

        lock (_tokenLock)
        {
            // stable_token in normal mode hands out the same token while it is valid; cgi-bin/token always a new one.
            if (request.ApiName == "cgi-bin/token" || !_currentToken.TryGetValue(appId, out var token))
            {
                token = $"TOKEN-{appId}-{++_issued}";
                _currentToken[appId] = token;
                _validTokens.Add(token);
            }

            return FakeResponse.Json($"{{\"access_token\":\"{token}\",\"expires_in\":{TokenExpiresIn}}}");
        }
    }
}
