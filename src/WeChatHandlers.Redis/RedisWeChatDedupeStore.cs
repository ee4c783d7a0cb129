using System.Globalization;
using StackExchange.Redis;

namespace WeChatHandlers.Redis;

/// <summary>
/// The dedupe store shared by several instances serving one account. A key holds <c>L{owner}</c> while a run owns it,
/// with a short expiry the owner renews (<c>SET NX PX</c> claims it; a dead owner's key simply expires, and the next
/// <c>SET NX</c> takes the message over), then <c>D</c> for the dedupe window once the message is done.
/// Renewal and release compare the owner first (a Lua script), so a run whose lease ran out never frees or extends
/// its successor's.
/// </summary>
/// <remarks>
/// Durability: done marks live in Redis memory. A Redis restart without persistence forgets them, and a retry that
/// arrives afterwards runs again; run Redis with <c>appendonly yes</c> (<c>appendfsync everysec</c> loses at most
/// a second of marks) or accept that window. Leases need no persistence: a forgotten lease is a dead owner.
/// </remarks>
public sealed class RedisWeChatDedupeStore : IWeChatDedupeStore
{
    private const string DoneValue = "D";

    private const string RenewScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    private const string ReleaseScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(50);
    private readonly Func<CancellationToken, Task<IConnectionMultiplexer>> _connect;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over a connection; keys are prefixed with <paramref name="prefix"/>.</summary>
    public RedisWeChatDedupeStore(IConnectionMultiplexer redis, TimeProvider time, string prefix = "wechat:dedupe:")
        : this(_ => Task.FromResult(redis ?? throw new ArgumentNullException(nameof(redis))), time, prefix)
    {
    }

    /// <summary>Creates the store over a connection obtained on first use (it may still be connecting).</summary>
    public RedisWeChatDedupeStore(Func<CancellationToken, Task<IConnectionMultiplexer>> connect, TimeProvider time, string prefix = "wechat:dedupe:")
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(prefix);
        _connect = connect;
        _time = time;
        _prefix = prefix;
    }

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await BeginAsync(db, _prefix + key, LeaseValue(owner), lease, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var renewed = await db.ScriptEvaluateAsync(RenewScript, [(RedisKey)(_prefix + key)], [LeaseValue(owner), (long)lease.TotalMilliseconds]).ConfigureAwait(false);
        return (long)renewed == 1;
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisKey redisKey = _prefix + key;
        if (succeeded)
        {
            // Done whoever holds the key now: the message was handled.
            await db.StringSetAsync(redisKey, DoneValue, window).ConfigureAwait(false);
            return;
        }

        await db.ScriptEvaluateAsync(ReleaseScript, [redisKey], [LeaseValue(owner)]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisKey redisKey = _prefix + key;
        RedisValue value = LeaseValue(owner);
        long deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            var decision = await BeginAsync(db, redisKey, value, lease, cancellationToken).ConfigureAwait(false);
            if (decision != WeChatDedupeDecision.InFlight || _time.GetTimestamp() >= deadline)
            {
                return decision;
            }

            await Task.Delay(s_pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<WeChatDedupeDecision> BeginAsync(IDatabase db, RedisKey key, RedisValue owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await db.StringSetAsync(key, owner, lease, When.NotExists).ConfigureAwait(false))
            {
                return WeChatDedupeDecision.Run;
            }

            var state = await db.StringGetAsync(key).ConfigureAwait(false);
            if (state.HasValue)
            {
                return state == DoneValue ? WeChatDedupeDecision.Done : WeChatDedupeDecision.InFlight;
            }

            // The lease expired or was released between the two calls: claim again.
        }
    }

    private async ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
        => (await _connect(cancellationToken).ConfigureAwait(false)).GetDatabase();

    private static RedisValue LeaseValue(long owner) => "L" + owner.ToString(CultureInfo.InvariantCulture);
}
