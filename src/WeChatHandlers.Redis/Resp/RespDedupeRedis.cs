using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace WeChatHandlers.Redis.Resp;

/// <summary>
/// The dedupe operations over <see cref="RespClient"/>: the key's prefix and the owner are written without building
/// strings. When the server turns out to be a cluster node, every operation goes through StackExchange.Redis instead
/// (<paramref name="fallback"/>, opened then).
/// </summary>
internal sealed class RespDedupeRedis(RespClient client, Func<DedupeRedis> fallback) : DedupeRedis
{
    private DedupeRedis? _fallback;

    public RespClient Client => client;

    /// <summary>The StackExchange.Redis path, once the client has found a cluster node.</summary>
    public DedupeRedis? Fallback => client.IsCluster ? LazyInitializer.EnsureInitialized(ref _fallback, fallback) : null;

    public override async ValueTask<bool> ClaimAsync(string prefix, string key, long owner, TimeSpan lease)
    {
        if (Fallback is { } other)
        {
            return await other.ClaimAsync(prefix, key, owner, lease).ConfigureAwait(false);
        }

        var reply = (await client.ExecuteAsync("SET", RespArg.Concat(prefix, key), RespArg.Tagged('L', owner), "PX", Milliseconds(lease), "NX").ConfigureAwait(false)).ThrowIfError();
        return reply.Kind switch
        {
            RespKind.Status => true,
            RespKind.Null => false,
            _ => throw Unexpected("SET NX", reply),
        };
    }

    public override async ValueTask<DedupeKeyState> ReadAsync(string prefix, string key)
    {
        if (Fallback is { } other)
        {
            return await other.ReadAsync(prefix, key).ConfigureAwait(false);
        }

        var reply = (await client.ExecuteAsync("GET", RespArg.Concat(prefix, key)).ConfigureAwait(false)).ThrowIfError();
        return reply.Kind is RespKind.Bulk or RespKind.Null ? StateOf(reply.Text) : throw Unexpected("GET", reply);
    }

    public override async ValueTask MarkDoneAsync(string prefix, string key, TimeSpan window)
    {
        if (Fallback is { } other)
        {
            await other.MarkDoneAsync(prefix, key, window).ConfigureAwait(false);
            return;
        }

        var reply = (await client.ExecuteAsync("SET", RespArg.Concat(prefix, key), DoneValue, "PX", Milliseconds(window)).ConfigureAwait(false)).ThrowIfError();
        if (reply.Kind != RespKind.Status)
        {
            throw Unexpected("SET", reply);
        }
    }

    public override async ValueTask<bool> RenewAsync(string prefix, string key, long owner, TimeSpan lease)
    {
        if (Fallback is { } other)
        {
            return await other.RenewAsync(prefix, key, owner, lease).ConfigureAwait(false);
        }

        var reply = (await client.ExecuteAsync("EVAL", RenewScript, 1, RespArg.Concat(prefix, key), RespArg.Tagged('L', owner), Milliseconds(lease)).ConfigureAwait(false)).ThrowIfError();
        return reply.Kind == RespKind.Integer ? reply.Integer == 1 : throw Unexpected("EVAL", reply);
    }

    public override async ValueTask ReleaseAsync(string prefix, string key, long owner)
    {
        if (Fallback is { } other)
        {
            await other.ReleaseAsync(prefix, key, owner).ConfigureAwait(false);
            return;
        }

        var reply = (await client.ExecuteAsync("EVAL", ReleaseScript, 1, RespArg.Concat(prefix, key), RespArg.Tagged('L', owner)).ConfigureAwait(false)).ThrowIfError();
        if (reply.Kind != RespKind.Integer)
        {
            throw Unexpected("EVAL", reply);
        }
    }

    public override async Task<HealthCheckResult> CheckHealthAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Fallback is { } other)
        {
            return await other.CheckHealthAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }

        if (!client.IsConnected)
        {
            return HealthCheckResult.Unhealthy(client.HasAttempted ? Unreachable : Connecting);
        }

        try
        {
            long started = time.GetTimestamp();
            var reply = (await client.ExecuteAsync("PING").AsTask().WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false)).ThrowIfError();
            Debug.Assert(reply.Kind == RespKind.Status);
            return HealthCheckResult.Healthy($"PING {time.GetElapsedTime(started).TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The Redis dedupe store does not answer PING.", ex);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await client.DisposeAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _fallback) is { } other)
        {
            await other.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static RedisException Unexpected(string command, RespReply reply) =>
        new($"Redis answered {command} with an unexpected {reply.Kind} reply.");
}
