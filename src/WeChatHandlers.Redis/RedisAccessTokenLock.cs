using StackExchange.Redis;
using WeChatHandlers.Api;

namespace WeChatHandlers.Redis;

/// <summary>
/// An <see cref="IAccessTokenLock"/> in Redis: <c>SET key value NX PX lease</c> with a value only this holder knows,
/// released by a compare-and-delete script so that a holder whose lease ran out never frees its successor's lock.
/// </summary>
public sealed class RedisAccessTokenLock : IAccessTokenLock
{
    private const string ReleaseScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private readonly Func<CancellationToken, Task<IConnectionMultiplexer>> _connect;

    /// <summary>Creates the lock over a connection obtained on first use.</summary>
    /// <param name="connect">Returns the (shared) connection to Redis.</param>
    public RedisAccessTokenLock(Func<CancellationToken, Task<IConnectionMultiplexer>> connect)
    {
        ArgumentNullException.ThrowIfNull(connect);
        _connect = connect;
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(string key, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var connection = await _connect(cancellationToken).ConfigureAwait(false);
        var database = connection.GetDatabase();
        var owner = Guid.NewGuid().ToString("N");

        // StackExchange.Redis takes no CancellationToken; WaitAsync stops our wait, not the command.
        var taken = await database.StringSetAsync(key, owner, lease, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);
        return taken ? new Handle(database, key, owner) : null;
    }

    private sealed class Handle(IDatabase database, RedisKey key, RedisValue owner) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await database.ScriptEvaluateAsync(ReleaseScript, [key], [owner]).ConfigureAwait(false);
            }
        }
    }
}
