using Microsoft.AspNetCore.Http.Features;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CustomerService;

/// <summary>
/// A stand-in for api.weixin.qq.com on loopback, for the demo: hands out an access token and records every
/// customer-service call so the demo can show what the bot sent.
/// </summary>
public sealed class FakeWeChatApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeWeChatApi(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:54321</c>.</summary>
    public string Address { get; }

    /// <summary>Every API call after the token: path and JSON body.</summary>
    public ConcurrentQueue<(string Path, string Body)> Calls { get; } = new();

    /// <summary>How many access tokens were requested.</summary>
    public int TokenRequests => _tokenRequests;

    private int _tokenRequests;

    public static async Task<FakeWeChatApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeWeChatApi? self = null;
        app.MapPost("/cgi-bin/stable_token", (RequestDelegate)(async ctx =>
        {
            Interlocked.Increment(ref self!._tokenRequests);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"access_token":"demo-access-token","expires_in":7200}""");
        }));
        app.MapPost("/cgi-bin/message/custom/{operation}", (RequestDelegate)(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            self!.Calls.Enqueue((ctx.Request.Path.Value!, await reader.ReadToEndAsync()));
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"errcode":0,"errmsg":"ok"}""");
        }));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new FakeWeChatApi(app, address);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
