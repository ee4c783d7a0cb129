using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace WeChatHandlers.Redis;

/// <summary>
/// The dedupe operations over StackExchange.Redis: for configurations <see cref="Resp.RespClient"/> does not serve
/// (TLS, several servers, Sentinel) and for a multiplexer the application brings. A connection opened here starts
/// without waiting for Redis: <c>abortConnect=false</c> (an instance starts while Redis is unreachable and connects when
/// it comes back) and a fail-fast backlog (a command while disconnected fails at once instead of queueing until its
/// timeout), so a push never hangs on a Redis that is down.
/// </summary>
internal sealed class MultiplexerDedupeRedis : DedupeRedis
{
    private readonly Func<CancellationToken, Task<IConnectionMultiplexer>> _connect;
    private readonly Task<IConnectionMultiplexer>? _owned;

    public MultiplexerDedupeRedis(ConfigurationOptions options)
    {
        options = options.Clone();
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var connecting = ConnectAsync(options);
        _owned = connecting;
        _connect = ct => connecting.IsCompleted ? connecting : connecting.WaitAsync(ct);
    }

    /// <summary>Over a connection that is not disposed here.</summary>
    public MultiplexerDedupeRedis(Func<CancellationToken, Task<IConnectionMultiplexer>> connect) => _connect = connect;

    public override async ValueTask<bool> ClaimAsync(string prefix, string key, long owner, TimeSpan lease) =>
        await (await DatabaseAsync().ConfigureAwait(false)).StringSetAsync(prefix + key, LeaseValue(owner), lease, When.NotExists).ConfigureAwait(false);

    public override async ValueTask<DedupeKeyState> ReadAsync(string prefix, string key) =>
        StateOf(await (await DatabaseAsync().ConfigureAwait(false)).StringGetAsync(prefix + key).ConfigureAwait(false));

    public override async ValueTask MarkDoneAsync(string prefix, string key, TimeSpan window) =>
        await (await DatabaseAsync().ConfigureAwait(false)).StringSetAsync(prefix + key, DoneValue, window).ConfigureAwait(false);

    public override async ValueTask<bool> RenewAsync(string prefix, string key, long owner, TimeSpan lease)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var renewed = await db.ScriptEvaluateAsync(RenewScript, [(RedisKey)(prefix + key)], [LeaseValue(owner), Milliseconds(lease)]).ConfigureAwait(false);
        return (long)renewed == 1;
    }

    public override async ValueTask ReleaseAsync(string prefix, string key, long owner) =>
        await (await DatabaseAsync().ConfigureAwait(false)).ScriptEvaluateAsync(ReleaseScript, [(RedisKey)(prefix + key)], [LeaseValue(owner)]).ConfigureAwait(false);

    public override async Task<HealthCheckResult> CheckHealthAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_owned is { IsCompleted: false })
        {
            return HealthCheckResult.Unhealthy(Connecting);
        }

        var redis = await _connect(cancellationToken).ConfigureAwait(false);
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy(Unreachable);
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The Redis dedupe store does not answer PING.", ex);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_owned is { IsCompletedSuccessfully: true })
        {
            await _owned.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<IDatabase> DatabaseAsync() => (await _connect(CancellationToken.None).ConfigureAwait(false)).GetDatabase();

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
        => await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
}
