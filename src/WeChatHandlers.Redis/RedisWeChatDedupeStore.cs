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
public sealed class RedisWeChatDedupeStore : IWeChatDedupeStore, IBackgroundDoneMarks
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(50);
    private readonly DedupeRedis _redis;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over a connection; keys are prefixed with <paramref name="prefix"/>.</summary>
    public RedisWeChatDedupeStore(IConnectionMultiplexer redis, TimeProvider time, string prefix = "wechat:dedupe:")
        : this(_ => Task.FromResult(redis ?? throw new ArgumentNullException(nameof(redis))), time, prefix)
    {
    }

    /// <summary>Creates the store over a connection obtained on first use (it may still be connecting).</summary>
    public RedisWeChatDedupeStore(Func<CancellationToken, Task<IConnectionMultiplexer>> connect, TimeProvider time, string prefix = "wechat:dedupe:")
        : this(new MultiplexerDedupeRedis(connect ?? throw new ArgumentNullException(nameof(connect))), time, prefix)
    {
    }

    internal RedisWeChatDedupeStore(DedupeRedis redis, TimeProvider time, string prefix)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(prefix);
        _redis = redis;
        _time = time;
        _prefix = prefix;
    }

    /// <inheritdoc />
    public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var claimed = _redis.ClaimAsync(_prefix, key, owner, lease);
        return claimed.IsCompletedSuccessfully && claimed.Result
            ? new(WeChatDedupeDecision.Run)
            : BeginAsync(claimed, key, owner, lease, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _redis.RenewAsync(_prefix, key, owner, lease);
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Done whoever holds the key now: the message was handled. A failed run frees the key only if it still owns it.
        return succeeded ? _redis.MarkDoneAsync(_prefix, key, window) : _redis.ReleaseAsync(_prefix, key, owner);
    }

    bool IBackgroundDoneMarks.TryMarkDone(string key, TimeSpan window, IDoneMarkFailures failures) =>
        _redis.TryMarkDoneInBackground(_prefix, key, window, failures);

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            var decision = await BeginAsync(_redis.ClaimAsync(_prefix, key, owner, lease), key, owner, lease, cancellationToken).ConfigureAwait(false);
            if (decision != WeChatDedupeDecision.InFlight || _time.GetTimestamp() >= deadline)
            {
                return decision;
            }

            await Task.Delay(s_pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<WeChatDedupeDecision> BeginAsync(ValueTask<bool> claimed, string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await claimed.ConfigureAwait(false))
            {
                return WeChatDedupeDecision.Run;
            }

            switch (await _redis.ReadAsync(_prefix, key).ConfigureAwait(false))
            {
                case DedupeKeyState.Done:
                    return WeChatDedupeDecision.Done;
                case DedupeKeyState.Lease:
                    return WeChatDedupeDecision.InFlight;
            }

            // The lease expired or was released between the two calls: claim again.
            cancellationToken.ThrowIfCancellationRequested();
            claimed = _redis.ClaimAsync(_prefix, key, owner, lease);
        }
    }
}
