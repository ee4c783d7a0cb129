using StackExchange.Redis;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// A dedupe store shared by several instances serving one account: keys are claimed with an atomic
/// <c>SET … NX PX</c>, marked done with their window, and released after a failure only by the holder's state.
/// </summary>
public sealed class RedisWeChatDedupeStore : IWeChatDedupeStore
{
    private const string InFlight = "1";
    private const string Done = "2";
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(50);
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over a connection; keys are prefixed with <paramref name="prefix"/>.</summary>
    public RedisWeChatDedupeStore(IConnectionMultiplexer redis, TimeProvider time, string prefix = "wechat:dedupe:")
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(time);
        _redis = redis;
        _time = time;
        _prefix = prefix;
    }

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        RedisKey redisKey = _prefix + key;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await db.StringSetAsync(redisKey, InFlight, ttl, When.NotExists).ConfigureAwait(false))
            {
                return WeChatDedupeDecision.Run;
            }

            var state = await db.StringGetAsync(redisKey).ConfigureAwait(false);
            if (state.HasValue)
            {
                return state == Done ? WeChatDedupeDecision.Done : WeChatDedupeDecision.InFlight;
            }

            // The key expired or was released between the two calls: try to claim it again.
        }
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(string key, bool succeeded, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        RedisKey redisKey = _prefix + key;
        if (succeeded)
        {
            await db.StringSetAsync(redisKey, Done, ttl).ConfigureAwait(false);
            return;
        }

        // Release only an in-flight claim, never a done mark written by another instance.
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.StringEqual(redisKey, InFlight));
        _ = transaction.KeyDeleteAsync(redisKey);
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> WaitAsync(string key, TimeSpan ttl, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        RedisKey redisKey = _prefix + key;
        long deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            var state = await db.StringGetAsync(redisKey).ConfigureAwait(false);
            if (state == Done)
            {
                return WeChatDedupeDecision.Done;
            }

            if (!state.HasValue)
            {
                return await TryBeginAsync(key, ttl, cancellationToken).ConfigureAwait(false);
            }

            if (_time.GetTimestamp() >= deadline)
            {
                return WeChatDedupeDecision.InFlight;
            }

            await Task.Delay(s_pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
