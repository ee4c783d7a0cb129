using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace WeChatHandlers.Redis.Resp;

/// <summary>The dedupe operations over <see cref="RespClient"/>: the key's prefix and the owner are written without building strings.</summary>
internal sealed class RespDedupeRedis(RespClient client) : DedupeRedis
{
    public RespClient Client => client;

    public override async ValueTask<bool> ClaimAsync(string prefix, string key, long owner, TimeSpan lease)
    {
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
        var reply = (await client.ExecuteAsync("GET", RespArg.Concat(prefix, key)).ConfigureAwait(false)).ThrowIfError();
        return reply.Kind is RespKind.Bulk or RespKind.Null ? StateOf(reply.Text) : throw Unexpected("GET", reply);
    }

    public override async ValueTask MarkDoneAsync(string prefix, string key, TimeSpan window)
    {
        var reply = (await client.ExecuteAsync("SET", RespArg.Concat(prefix, key), DoneValue, "PX", Milliseconds(window)).ConfigureAwait(false)).ThrowIfError();
        if (reply.Kind != RespKind.Status)
        {
            throw Unexpected("SET", reply);
        }
    }

    public override async ValueTask<bool> RenewAsync(string prefix, string key, long owner, TimeSpan lease)
    {
        var reply = (await client.ExecuteAsync("EVAL", RenewScript, 1, RespArg.Concat(prefix, key), RespArg.Tagged('L', owner), Milliseconds(lease)).ConfigureAwait(false)).ThrowIfError();
        return reply.Kind == RespKind.Integer ? reply.Integer == 1 : throw Unexpected("EVAL", reply);
    }

    public override async ValueTask ReleaseAsync(string prefix, string key, long owner)
    {
        var reply = (await client.ExecuteAsync("EVAL", ReleaseScript, 1, RespArg.Concat(prefix, key), RespArg.Tagged('L', owner)).ConfigureAwait(false)).ThrowIfError();
        if (reply.Kind != RespKind.Integer)
        {
            throw Unexpected("EVAL", reply);
        }
    }

    public override async Task<HealthCheckResult> CheckHealthAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
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

    public override ValueTask DisposeAsync() => client.DisposeAsync();

    private static RedisException Unexpected(string command, RespReply reply) =>
        new($"Redis answered {command} with an unexpected {reply.Kind} reply.");
}
