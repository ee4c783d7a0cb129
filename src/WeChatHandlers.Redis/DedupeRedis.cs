using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WeChatHandlers.Redis;

/// <summary>What a dedupe key holds.</summary>
internal enum DedupeKeyState
{
    /// <summary>No key: nobody owns the message and it is not done.</summary>
    Absent,

    /// <summary><c>L{owner}</c>: a run owns the message.</summary>
    Lease,

    /// <summary><c>D</c>: the message is done.</summary>
    Done,
}

/// <summary>
/// The five Redis operations the dedupe store is made of, over one of two clients: <see cref="Resp.RespClient"/> for a
/// single plain-TCP server (the request path's own pipelined connection), StackExchange.Redis for everything else.
/// A key holds <c>L{owner}</c> while a run owns it and <c>D</c> once its message is done.
/// </summary>
internal abstract class DedupeRedis : IAsyncDisposable
{
    public const string DoneValue = "D";

    /// <summary>Extends the lease only if <c>ARGV[1]</c> still owns it.</summary>
    public const string RenewScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    /// <summary>Deletes the lease only if <c>ARGV[1]</c> still owns it.</summary>
    public const string ReleaseScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    /// <summary><c>SET key L{owner} PX lease NX</c>: true when this owner now holds the key.</summary>
    public abstract ValueTask<bool> ClaimAsync(string prefix, string key, long owner, TimeSpan lease);

    /// <summary><c>GET key</c>, read as a state.</summary>
    public abstract ValueTask<DedupeKeyState> ReadAsync(string prefix, string key);

    /// <summary><c>SET key D PX window</c>, whoever holds the key.</summary>
    public abstract ValueTask MarkDoneAsync(string prefix, string key, TimeSpan window);

    /// <summary>
    /// <c>SET key D PX window</c> without a task (<see cref="IBackgroundDoneMarks"/>): false when this client cannot
    /// send it so, and the caller awaits <see cref="MarkDoneAsync"/> instead.
    /// </summary>
    public virtual bool TryMarkDoneInBackground(string prefix, string key, TimeSpan window, IDoneMarkFailures failures) => false;

    /// <summary>Extends the owner's lease; false when the owner no longer holds it.</summary>
    public abstract ValueTask<bool> RenewAsync(string prefix, string key, long owner, TimeSpan lease);

    /// <summary>Deletes the owner's lease (a failed run), if the owner still holds it.</summary>
    public abstract ValueTask ReleaseAsync(string prefix, string key, long owner);

    /// <summary>The health check's answer: unhealthy while not connected or when PING takes longer than <paramref name="timeout"/>.</summary>
    public abstract Task<HealthCheckResult> CheckHealthAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>An expiry in whole milliseconds, at least one (Redis refuses zero).</summary>
    protected static long Milliseconds(TimeSpan span) => Math.Max(1L, (long)Math.Ceiling(span.TotalMilliseconds));

    protected static string LeaseValue(long owner) => "L" + owner.ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected static DedupeKeyState StateOf(string? value) =>
        value is null ? DedupeKeyState.Absent : value == DoneValue ? DedupeKeyState.Done : DedupeKeyState.Lease;

    protected const string Unreachable = "The Redis dedupe store is unreachable; pushes are refused with 503 so WeChat retries.";

    protected const string Connecting = "The Redis dedupe store is still connecting; pushes are refused with 503 until it answers.";
}
