using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WeChatHandlers;
using WeChatHandlers.Api;

// In the DI namespace, like AddWeChatCallback and the generated AddWeChatHandlers: no extra using to find it.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the outbound WeChat API client.</summary>
public static class WeChatApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICustomerServiceClient"/> (default account), <see cref="ICustomerServiceClientFactory"/>,
    /// <see cref="IAccessTokenProvider"/>, <see cref="ICustomerServiceWindowTracker"/> and an in-memory
    /// <see cref="IAccessTokenStore"/>, with options bound from <paramref name="configuration"/> (the <c>WeChat</c>
    /// section) and validated at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>WeChat</c> configuration section.</param>
    public static IWeChatApiBuilder AddWeChatApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WeChatApiOptions>().Bind(configuration);
        return AddCore(services);
    }

    /// <summary>Registers the client like <see cref="AddWeChatApi(IServiceCollection, IConfiguration)"/>, configured in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    public static IWeChatApiBuilder AddWeChatApi(this IServiceCollection services, Action<WeChatApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<WeChatApiOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>Uses a token store of the application's own (for example over another distributed cache).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">Creates the store.</param>
    public static IWeChatApiBuilder UseAccessTokenStore(this IWeChatApiBuilder builder, Func<IServiceProvider, IAccessTokenStore> store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.Services.Replace(ServiceDescriptor.Singleton(store));
        return builder;
    }

    private static WeChatApiBuilder AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WeChatApiOptions>, WeChatApiOptionsValidator>());
        services.AddOptions<WeChatApiOptions>().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WeChatAccounts>();
        services.TryAddSingleton<WeChatApiTransport>();
        services.TryAddSingleton<IAccessTokenStore, MemoryAccessTokenStore>();
        services.TryAddSingleton<IAccessTokenProvider, AccessTokenProvider>();
        services.TryAddSingleton<ICustomerServiceWindowTracker, CustomerServiceWindowTracker>();

        // The callback endpoint (when present) feeds every first delivery to its observers: this one opens send windows.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWeChatPushObserver, CustomerServiceWindowObserver>());
        services.TryAddSingleton<ICustomerServiceClientFactory, CustomerServiceClientFactory>();
        services.TryAddSingleton(sp => sp.GetRequiredService<ICustomerServiceClientFactory>()
            .ForAccount(sp.GetRequiredService<WeChatAccounts>().DefaultAppId));

        var http = services.AddHttpClient(WeChatApiTransport.HttpClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<WeChatApiOptions>>().Value;
                client.BaseAddress = new Uri(options.ApiBaseAddress.TrimEnd('/') + "/", UriKind.Absolute);

                // The transport enforces WeChat:RequestTimeout itself, on the TimeProvider.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })

            // The default HTTP logging prints request URLs, which carry the access token (and, for cgi-bin/token,
            // the secret). The transport logs what matters without them.
            .RemoveAllLoggers();

        return new WeChatApiBuilder(services, http);
    }

    private sealed class WeChatApiBuilder(IServiceCollection services, IHttpClientBuilder http) : IWeChatApiBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IHttpClientBuilder HttpClient { get; } = http;
    }
}
