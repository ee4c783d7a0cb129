using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WeChatHandlers.Testing;

/// <summary>
/// A WebApplication on real Kestrel at <c>127.0.0.1</c> (a free port) built from the test's own registrations, with
/// the <c>WeChat</c> configuration of a <see cref="WeChatTestAccount"/> and a <see cref="FakeWeChatApi"/> behind
/// <c>WeChat:ApiBaseAddress</c>. Send pushes with <see cref="SendAsync"/> or a <see cref="CreateClient"/> client.
/// To host an application's own entry point (its Program), use <see cref="WeChatAppFactory{TEntryPoint}"/>.
/// </summary>
/// <example>
/// <code>
/// await using var host = await WeChatTestHost.StartAsync(services => services.AddWeChatHandlers());
/// var response = await host.SendAsync(WeChatPush.Text("help"));
/// </code>
/// </example>
public sealed class WeChatTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly HandlerObserver _observer;

    private WeChatTestHost(WebApplication app, FakeWeChatApi api, WeChatTestAccount account, Uri address, string path)
    {
        _app = app;
        Api = api;
        Account = account;
        Address = address;
        _http = new HttpClient { BaseAddress = address };
        _observer = new HandlerObserver(app.Services.GetRequiredService<IMeterFactory>());
        Endpoint = new Uri(address, path);
    }

    /// <summary>The app's base address, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The callback URL the default client posts to.</summary>
    public Uri Endpoint { get; }

    /// <summary>The account the app is configured with and pushes are signed with.</summary>
    public WeChatTestAccount Account { get; }

    /// <summary>The fake WeChat API the app's <c>ICustomerServiceClient</c> talks to.</summary>
    public FakeWeChatApi Api { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts an app with the test's services plus the WeChat callback and API client over the <c>WeChat</c>
    /// section (<c>AddWeChatCallback</c>, <c>AddWeChatApi</c>), the callback mapped at <c>/wechat</c>.
    /// </summary>
    /// <param name="services">The test's registrations, e.g. <c>s => s.AddWeChatHandlers()</c>.</param>
    /// <param name="account">The credentials; <see cref="WeChatTestAccount.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static Task<WeChatTestHost> StartAsync(Action<IServiceCollection> services, WeChatTestAccount? account = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return StartAsync(
            builder =>
            {
                var section = builder.Configuration.GetSection("WeChat");
                services(builder.Services);
                builder.Services.AddWeChatCallback(section);
                builder.Services.AddWeChatApi(section);
            },
            app => app.MapWeChatCallback("/wechat"),
            account,
            cancellationToken);
    }

    /// <summary>
    /// Starts an app configured entirely by the test: <paramref name="configure"/> registers services (the
    /// <c>WeChat</c> section is already in <see cref="WebApplicationBuilder.Configuration"/>), <paramref name="map"/>
    /// maps endpoints. The default client posts to <paramref name="path"/>.
    /// </summary>
    /// <param name="configure">Registers the app's services.</param>
    /// <param name="map">Maps its endpoints (for example <c>app.MapWeChatCallback("/wechat")</c>).</param>
    /// <param name="account">The credentials; <see cref="WeChatTestAccount.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="path">The callback path.</param>
    public static async Task<WeChatTestHost> StartAsync(Action<WebApplicationBuilder> configure, Action<WebApplication> map,
        WeChatTestAccount? account = null, CancellationToken cancellationToken = default, string path = "/wechat")
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(map);
        account ??= WeChatTestAccount.Default;
        var api = await FakeWeChatApi.StartAsync(account, cancellationToken).ConfigureAwait(false);
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(account.ToConfiguration(api.BaseAddress));
            configure(builder);
            var app = builder.Build();
            HandlerObserver.Use(app);
            map(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new WeChatTestHost(app, api, account, new Uri(address.TrimEnd('/') + "/"), path);
        }
        catch
        {
            await api.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Signs and POSTs <paramref name="push"/> to <see cref="Endpoint"/>.</summary>
    /// <param name="push">The push.</param>
    /// <param name="options">Format and safe mode; plaintext XML when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<WeChatPushResponse> SendAsync(WeChatPush push, WeChatPushOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateClient().SendAsync(push, options, cancellationToken);

    /// <summary>A push client for <paramref name="path"/> (default: the callback path), reporting which handlers ran.</summary>
    /// <param name="path">A callback path, e.g. <c>/wechat/wx123</c>.</param>
    public WeChatPushClient CreateClient(string? path = null) =>
        new(_http, path is null ? Endpoint : new Uri(Address, path), Account, _observer);

    /// <summary>A plain HTTP client for the app (health checks, other endpoints).</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = Address };

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _observer.Dispose();
        _http.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Api.DisposeAsync().ConfigureAwait(false);
    }
}
