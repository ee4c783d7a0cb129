using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WeChatHandlers.Redis;

/// <summary>
/// Reports whether the Redis dedupe store answers: unhealthy while it is unreachable (pushes are then refused with 503
/// so WeChat retries), healthy with the PING time otherwise. Registered as <c>wechat-dedupe-redis</c> by
/// <c>AddWeChatRedisDedupe</c>; map it with <c>app.MapHealthChecks("/healthz")</c>.
/// </summary>
internal sealed class RedisWeChatDedupeHealthCheck(RedisDedupeConnection connection, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!connection.IsCreated)
        {
            return HealthCheckResult.Unhealthy("The Redis dedupe store is still connecting; pushes are refused with 503 until it answers.");
        }

        var redis = await connection.GetAsync(cancellationToken).ConfigureAwait(false);
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy("The Redis dedupe store is unreachable; pushes are refused with 503 so WeChat retries.");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(s_timeout, time, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The Redis dedupe store does not answer PING.", ex);
        }
    }
}
