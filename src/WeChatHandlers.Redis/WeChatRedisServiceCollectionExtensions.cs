using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using WeChatHandlers;
using WeChatHandlers.Api;
using WeChatHandlers.Redis;
using WeChatHandlers.Redis.Resp;

// In the DI namespace, like AddWeChatCallback and AddWeChatApi: no extra using to find them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis stores: the shared dedupe store and the shared access token.</summary>
public static class WeChatRedisServiceCollectionExtensions
{
    /// <summary>The name of the dedupe store's health check.</summary>
    public const string DedupeHealthCheckName = "wechat-dedupe-redis";

    /// <summary>
    /// Shares the dedupe state between instances serving one account through Redis, and adds the health check
    /// <see cref="DedupeHealthCheckName"/>. <paramref name="configuration"/> is a StackExchange.Redis configuration
    /// string; the connection never aborts the start (the instance starts while Redis is unreachable) and fails fast
    /// while disconnected. One server over plain TCP (optionally with <c>user</c>, <c>password</c>,
    /// <c>defaultDatabase</c>, <c>connectTimeout</c>, <c>asyncTimeout</c>) is served by the store's own pipelined
    /// client; TLS, several servers or Sentinel go through StackExchange.Redis. Run Redis with persistence
    /// (<c>appendonly yes</c>): a restart that forgets done marks lets a later retry run again.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">For example <c>localhost:6379</c>.</param>
    /// <param name="prefix">Prefixes every dedupe key.</param>
    public static IServiceCollection AddWeChatRedisDedupe(this IServiceCollection services, string configuration, string prefix = "wechat:dedupe:")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var options = ConfigurationOptions.Parse(configuration);

        // One plain-TCP server (the common case) is served by the store's own pipelined client, which costs a push no
        // thread hop beyond its replies; TLS, several servers or Sentinel go through StackExchange.Redis.
        return RespEndpoint.TryFrom(options) is { } endpoint
            ? AddRedisDedupe(services, sp => new RespDedupeRedis(new RespClient(endpoint, sp.GetRequiredService<TimeProvider>()), () => new MultiplexerDedupeRedis(options)), prefix)
            : AddRedisDedupe(services, _ => new MultiplexerDedupeRedis(options), prefix);
    }

    /// <summary>Shares the dedupe state through Redis over a connection the application already has (it is not disposed here).</summary>
    /// <param name="services">The services.</param>
    /// <param name="connection">Returns the application's connection; open it with <c>abortConnect=false</c>.</param>
    /// <param name="prefix">Prefixes every dedupe key.</param>
    public static IServiceCollection AddWeChatRedisDedupe(this IServiceCollection services, Func<IServiceProvider, IConnectionMultiplexer> connection, string prefix = "wechat:dedupe:")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(connection);
        return AddRedisDedupe(services, sp =>
        {
            var redis = connection(sp);
            return new MultiplexerDedupeRedis(_ => Task.FromResult(redis));
        }, prefix);
    }

    /// <summary>
    /// Shares access tokens between instances through Redis: the token in a <see cref="RedisCache"/> (an
    /// <c>IDistributedCache</c>) and a Redis refresh lock, so that one instance fetches and none invalidates another's token.
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

    private static IServiceCollection AddRedisDedupe(IServiceCollection services, Func<IServiceProvider, DedupeRedis> connection, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<DedupeRedis>();
        services.AddSingleton(connection);
        services.RemoveAll<IWeChatDedupeStore>();
        services.AddSingleton<IWeChatDedupeStore>(sp => new RedisWeChatDedupeStore(
            sp.GetRequiredService<DedupeRedis>(), sp.GetRequiredService<TimeProvider>(), prefix));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            DedupeHealthCheckName,
            sp => new RedisWeChatDedupeHealthCheck(sp.GetRequiredService<DedupeRedis>(), sp.GetRequiredService<TimeProvider>()),
            HealthStatus.Unhealthy,
            ["wechat", "redis"]));
        return services;
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
}
