using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Testing;

/// <summary>
/// Hosts an application's real entry point (its <c>Program</c>) in the test, as <see cref="WebApplicationFactory{TEntryPoint}"/>
/// does, but on real Kestrel at <c>127.0.0.1</c> (a free port), with the <c>WeChat</c> configuration of a
/// <see cref="WeChatTestAccount"/> and a <see cref="FakeWeChatApi"/> behind <c>WeChat:ApiBaseAddress</c>. The app
/// registers its own handlers (its <c>AddWeChatHandlers()</c>), so a test project needs no InternalsVisibleTo.
/// Call <see cref="StartAsync"/> first; override <see cref="ConfigureWebHost"/> (calling the base) to change more.
/// </summary>
/// <typeparam name="TEntryPoint">Any public type of the app's assembly, usually its <c>Program</c>.</typeparam>
public class WeChatAppFactory<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private FakeWeChatApi? _api;
    private HttpClient? _http;
    private HandlerObserver? _observer;
    private Uri? _address;
    private bool _disposed;

    /// <summary>
    /// A factory for the app with <see cref="WeChatTestAccount.Default"/> (set <see cref="Account"/> for another). The one
    /// public constructor takes nothing, so the factory can be an xunit class fixture
    /// (<c>IClassFixture&lt;WeChatAppFactory&lt;Program&gt;&gt;</c>), shared by a class's tests.
    /// </summary>
    public WeChatAppFactory()
        : this(WeChatTestAccount.Default)
    {
    }

    /// <summary>A factory for the app, configured with <paramref name="account"/> (for a derived factory).</summary>
    /// <param name="account">The credentials.</param>
    protected WeChatAppFactory(WeChatTestAccount account) => Account = account ?? throw new ArgumentNullException(nameof(account));

    /// <summary>The account the app is configured with and pushes are signed with; set it before the start.</summary>
    public WeChatTestAccount Account { get; init; }

    /// <summary>The path of the app's callback (<c>MapWeChatCallback</c>); <c>/wechat</c> unless set before the start.</summary>
    public string CallbackPath { get; init; } = "/wechat";

    /// <summary>The fake WeChat API the app's <c>ICustomerServiceClient</c> talks to.</summary>
    public FakeWeChatApi Api => _api ?? throw NotStarted();

    /// <summary>The app's base address on loopback.</summary>
    public Uri Address => _address ?? throw NotStarted();

    /// <summary>Starts the fake WeChat API, then the app on Kestrel.</summary>
    /// <param name="cancellationToken">Cancels starting the fake API.</param>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_address is not null)
        {
            return;
        }

        _api = await FakeWeChatApi.StartAsync(Account, cancellationToken).ConfigureAwait(false);
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        string address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _address = new Uri(address.TrimEnd('/') + "/");
        _http = new HttpClient { BaseAddress = _address };
        _observer = new HandlerObserver(Services.GetRequiredService<IMeterFactory>());
    }

    /// <summary>A push client for <paramref name="path"/> (default <see cref="CallbackPath"/>), reporting which handlers ran.</summary>
    /// <param name="path">A callback path.</param>
    public WeChatPushClient CreatePushClient(string? path = null) =>
        new(_http ?? throw NotStarted(), new Uri(Address, path ?? CallbackPath), Account, _observer);

    /// <summary>Signs and POSTs <paramref name="push"/> to the app's callback.</summary>
    /// <param name="push">The push.</param>
    /// <param name="options">Format and safe mode; plaintext XML when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<WeChatPushResponse> SendAsync(WeChatPush push, WeChatPushOptions? options = null, CancellationToken cancellationToken = default) =>
        CreatePushClient().SendAsync(push, options, cancellationToken);

    /// <summary>Adds the account's <c>WeChat</c> settings and the fake API address, and marks pushes so handlers can be reported.</summary>
    /// <param name="builder">The app's web host builder.</param>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in Account.ToConfiguration(Api.BaseAddress))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, HandlerObserver.StartupFilter>());
        base.ConfigureWebHost(builder);
    }

    /// <summary>Stops the app and the fake API.</summary>
    public override async ValueTask DisposeAsync()
    {
        _disposed = true;
        _observer?.Dispose();
        _http?.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
        if (_api is not null)
        {
            await _api.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private static InvalidOperationException NotStarted() => new("Call StartAsync first.");
}
