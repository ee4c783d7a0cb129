using Microsoft.AspNetCore.Http.Features;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore.Tests;

/// <summary>The real endpoint on real Kestrel at 127.0.0.1 (ephemeral port), with the test handlers and signing helpers.</summary>
public sealed class TestApp : IAsyncDisposable
{
    // protocol.md §9 TV3: token, a key of 43 'A' (32 zero bytes) and the official AppId.
    public const string Token = "AAAAA";
    public const string Key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    public const string AppId = "wxba5fad812f8e6fb9";
    public const string OriginalId = "gh_97417a04a28d";

    private readonly WebApplication _app;
    private int _nonce = 100000;

    private TestApp(WebApplication app, string address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = new Uri(address) };
        Crypto = new WeChatCrypto(Token, Key, AppId);
    }

    public HttpClient Client { get; }

    public WeChatCrypto Crypto { get; }

    public IServiceProvider Services => _app.Services;

    public Probe Probe => _app.Services.GetRequiredService<Probe>();

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public static async Task<TestApp> StartAsync(
        Action<WeChatCallbackOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        string pattern = "/wechat")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<Probe>();
        builder.Services.AddScoped<PerMessage>();
        builder.Services.AddWeChatHandlers();
        builder.Services.AddWeChatCallback(o =>
        {
            o.Token = Token;
            o.EncodingAESKey = Key;
            o.AppId = AppId;
            o.OriginalId = OriginalId;
            configure?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapWeChatCallback(pattern);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestApp(app, address);
    }

    public MetricCollector<long> Counter(string name) => new(_app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WeChatCallbackMetrics.Name, name);

    public static string TextJson(string content, long msgId = 1234567890123456, string from = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY") =>
        $$"""{"ToUserName":"{{OriginalId}}","FromUserName":"{{from}}","CreateTime":1714112445,"MsgType":"text","Content":"{{content}}","MsgId":{{msgId}}}""";

    public static string TextXml(string content, long msgId = 1234567890123456) =>
        $"<xml><ToUserName><![CDATA[{OriginalId}]]></ToUserName><FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName><CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content><MsgId>{msgId}</MsgId></xml>";

    /// <summary>Posts a plaintext push signed with the token (or a given signature).</summary>
    public Task<HttpResponseMessage> PostPlainAsync(string body, string? signature = null, string path = "/wechat", string contentType = "text/xml")
    {
        string timestamp = "1714037059", nonce = NextNonce();
        signature ??= WeChatSignature.ComputeSignature(Token, timestamp, nonce);
        return Client.PostAsync($"{path}?signature={signature}&timestamp={timestamp}&nonce={nonce}", new StringContent(body, Encoding.UTF8, contentType));
    }

    /// <summary>Posts a safe-mode push: the plaintext encrypted, wrapped in an envelope of the same format, signed.</summary>
    public Task<HttpResponseMessage> PostEncryptedAsync(string plaintext, bool json, Func<string, string>? tamperEncrypt = null, string? msgSignature = null, WeChatCrypto? crypto = null)
    {
        string timestamp = "1714112445", nonce = NextNonce();
        string encrypt = (crypto ?? Crypto).Encrypt(Encoding.UTF8.GetBytes(plaintext));
        msgSignature ??= WeChatSignature.ComputeMsgSignature(Token, timestamp, nonce, encrypt);
        if (tamperEncrypt is not null)
        {
            encrypt = tamperEncrypt(encrypt);
        }

        string body = json
            ? $$"""{"ToUserName":"{{OriginalId}}","Encrypt":"{{encrypt.Replace("/", "\\/", StringComparison.Ordinal)}}"}"""
            : $"<xml><ToUserName><![CDATA[{OriginalId}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";
        return PostRawAsync($"/wechat?signature={WeChatSignature.ComputeSignature(Token, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&openid=o9AgO5Kd5ggOC-bXrbNODIiE3bGY&encrypt_type=aes&msg_signature={msgSignature}", body);
    }

    public Task<HttpResponseMessage> PostRawAsync(string pathAndQuery, string body) =>
        Client.PostAsync(pathAndQuery, new StringContent(body, Encoding.UTF8, "text/xml"));

    private string NextNonce() => Interlocked.Increment(ref _nonce).ToString(CultureInfo.InvariantCulture);

    /// <summary>Stops the host without releasing the probe's gate.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Probe.Gate.Release(100);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
