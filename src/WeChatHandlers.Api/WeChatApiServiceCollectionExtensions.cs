using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
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

    /// <summary>
    /// Shares access tokens between instances through Redis: the token in a
    /// <see cref="RedisCache"/> (an <c>IDistributedCache</c>) and a Redis refresh lock, so that one instance fetches
    /// and none invalidates another's token.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    /// <param name="keyPrefix">Prefixes every key this store writes.</param>
    public static IWeChatApiBuilder UseRedisAccessTokenStore(this IWeChatApiBuilder builder, string configuration, string keyPrefix = "wechat:")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var parsed = ConfigurationOptions.Parse(configuration);
        return UseRedis(builder, keyPrefix, owned: true, async (_, ct) =>
            await ConnectionMultiplexer.ConnectAsync(parsed).WaitAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Shares access tokens through Redis over a connection the application already has.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connection">Returns the application's connection (it is not disposed here).</param>
    /// <param name="keyPrefix">Prefixes every key this store writes.</param>
    public static IWeChatApiBuilder UseRedisAccessTokenStore(this IWeChatApiBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> connection, string keyPrefix = "wechat:")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        return UseRedis(builder, keyPrefix, owned: false, (sp, _) => Task.FromResult(connection(sp)));
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

    private static IWeChatApiBuilder UseRedis(IWeChatApiBuilder builder, string keyPrefix, bool owned, Func<IServiceProvider, CancellationToken, Task<IConnectionMultiplexer>> open)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        builder.Services.TryAddSingleton(sp => new RedisConnection(sp, open, owned));
        builder.Services.TryAddSingleton(sp =>
        {
            var connection = sp.GetRequiredService<RedisConnection>();
            return new RedisTokenCache(new RedisCache(new RedisCacheOptions
            {
                // The cache and the lock share one connection; the cache's own prefix is left empty because the
                // store already prefixes its keys.
                ConnectionMultiplexerFactory = () => connection.GetAsync(CancellationToken.None),
            }));
        });
        return builder.UseAccessTokenStore(sp => new DistributedAccessTokenStore(
            sp.GetRequiredService<RedisTokenCache>().Cache,
            new RedisAccessTokenLock(sp.GetRequiredService<RedisConnection>().GetAsync),
            sp.GetRequiredService<TimeProvider>(),
            keyPrefix));
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
