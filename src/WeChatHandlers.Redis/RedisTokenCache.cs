using Microsoft.Extensions.Caching.StackExchangeRedis;

namespace WeChatHandlers.Redis;

/// <summary>
/// Holds the Redis cache the token store uses, apart from any <c>IDistributedCache</c> the application registered so
/// the two never replace each other. Deliberately not disposable: disposing a <see cref="RedisCache"/> closes its
/// connection, which may be the application's own; <see cref="RedisConnection"/> decides that.
/// </summary>
internal sealed class RedisTokenCache(RedisCache cache)
{
    public RedisCache Cache { get; } = cache;
}
