using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WeChatHandlers.Redis;

/// <summary>
/// Reports whether the Redis dedupe store answers: unhealthy while it is unreachable (pushes are then refused with 503
/// so WeChat retries), healthy with the PING time otherwise. Registered as <c>wechat-dedupe-redis</c> by
/// <c>AddWeChatRedisDedupe</c>; map it with <c>app.MapHealthChecks("/healthz")</c>.
/// </summary>
internal sealed class RedisWeChatDedupeHealthCheck(DedupeRedis redis, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        redis.CheckHealthAsync(s_timeout, time, cancellationToken);
}
