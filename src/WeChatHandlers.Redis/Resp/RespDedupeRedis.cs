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

    // Each operation goes to the fallback once the server turned out to be a cluster node, else over the own client.
    public override ValueTask<bool> ClaimAsync(string prefix, string key, long owner, TimeSpan lease) =>
        Fallback?.ClaimAsync(prefix, key, owner, lease) ?? OwnClaimAsync(prefix, key, owner, lease);

    public override ValueTask<DedupeKeyState> ReadAsync(string prefix, string key) =>
        Fallback?.ReadAsync(prefix, key) ?? OwnReadAsync(prefix, key);

    public override ValueTask MarkDoneAsync(string prefix, string key, TimeSpan window) =>
        Fallback?.MarkDoneAsync(prefix, key, window) ?? OwnMarkDoneAsync(prefix, key, window);

    public override bool TryMarkDoneInBackground(string prefix, string key, TimeSpan window, IDoneMarkFailures failures) =>
        Fallback is null
        && client.TryExecuteInBackground([RespArg.Set, RespArg.Concat(prefix, key), RespArg.Done, RespArg.PX, Milliseconds(window)], DoneMarkReply.Instance, key, failures);

    public override ValueTask<bool> RenewAsync(string prefix, string key, long owner, TimeSpan lease) =>
        Fallback?.RenewAsync(prefix, key, owner, lease) ?? OwnRenewAsync(prefix, key, owner, lease);

    public override ValueTask ReleaseAsync(string prefix, string key, long owner) =>
        Fallback?.ReleaseAsync(prefix, key, owner) ?? OwnReleaseAsync(prefix, key, owner);

    public override Task<HealthCheckResult> CheckHealthAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        Fallback?.CheckHealthAsync(timeout, time, cancellationToken) ?? OwnCheckHealthAsync(timeout, time, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await client.DisposeAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _fallback) is { } other)
        {
            await other.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> OwnClaimAsync(string prefix, string key, long owner, TimeSpan lease)
    {
        var reply = (await client.ExecuteAsync(RespArg.Set, RespArg.Concat(prefix, key), RespArg.Tagged('L', owner), RespArg.PX, Milliseconds(lease), RespArg.NX).ConfigureAwait(false)).ThrowIfError();
        return reply.Kind switch
        {
            RespKind.Status => true,
            RespKind.Null => false,
            _ => throw Unexpected("SET NX", reply),
        };
    }

    private async ValueTask<DedupeKeyState> OwnReadAsync(string prefix, string key)
    {
        var reply = (await client.ExecuteAsync(RespArg.Get, RespArg.Concat(prefix, key)).ConfigureAwait(false)).ThrowIfError();
        return reply.Kind is RespKind.Bulk or RespKind.Null ? StateOf(reply.Text) : throw Unexpected("GET", reply);
    }

    private async ValueTask OwnMarkDoneAsync(string prefix, string key, TimeSpan window)
    {
        var reply = (await client.ExecuteAsync(RespArg.Set, RespArg.Concat(prefix, key), RespArg.Done, RespArg.PX, Milliseconds(window)).ConfigureAwait(false)).ThrowIfError();
        if (reply.Kind != RespKind.Status)
        {
            throw Unexpected("SET", reply);
        }
    }

    private async ValueTask<bool> OwnRenewAsync(string prefix, string key, long owner, TimeSpan lease)
    {
        var reply = (await client.ExecuteAsync("EVAL", RenewScript, 1, RespArg.Concat(prefix, key), RespArg.Tagged('L', owner), Milliseconds(lease)).ConfigureAwait(false)).ThrowIfError();
        return reply.Kind == RespKind.Integer ? reply.Integer == 1 : throw Unexpected("EVAL", reply);
    }

    private async ValueTask OwnReleaseAsync(string prefix, string key, long owner)
    {
        var reply = (await client.ExecuteAsync("EVAL", ReleaseScript, 1, RespArg.Concat(prefix, key), RespArg.Tagged('L', owner)).ConfigureAwait(false)).ThrowIfError();
        if (reply.Kind != RespKind.Integer)
        {
            throw Unexpected("EVAL", reply);
        }
    }

    private async Task<HealthCheckResult> OwnCheckHealthAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
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

    private static RedisException Unexpected(string command, RespReply reply) =>
        new($"Redis answered {command} with an unexpected {reply.Kind} reply.");

    // A background done mark's reply, read as OwnMarkDoneAsync reads it; a failure goes to the endpoint's log and metric.
    private sealed class DoneMarkReply : IRespBackgroundReply
    {
        public static readonly DoneMarkReply Instance = new();

        public void Completed(string key, object state, RespReply reply, Exception? error)
        {
            error ??= reply.Kind switch
            {
                RespKind.Status => null,
                RespKind.Error => new RedisServerException(reply.Text ?? "ERR"),
                _ => Unexpected("SET", reply),
            };
            if (error is not null)
            {
                ((IDoneMarkFailures)state).DoneMarkFailed(key, error);
            }
        }
    }
}
