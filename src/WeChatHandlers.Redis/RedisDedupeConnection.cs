using StackExchange.Redis;

namespace WeChatHandlers.Redis;

/// <summary>
/// The dedupe store's connection, opened at start-up without waiting for Redis: <c>abortConnect=false</c> (an instance
/// starts while Redis is unreachable and connects when it comes back) and a fail-fast backlog (a command while
/// disconnected fails at once instead of queueing until its timeout), so a push never hangs on a Redis that is down.
/// </summary>
internal sealed class RedisDedupeConnection : IAsyncDisposable
{
    private readonly Task<IConnectionMultiplexer> _connecting;
    private readonly bool _owned;

    public RedisDedupeConnection(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        _connecting = ConnectAsync(options);
        _owned = true;
    }

    public RedisDedupeConnection(IConnectionMultiplexer connection)
    {
        _connecting = Task.FromResult(connection);
        _owned = false;
    }

    /// <summary>True once the first connection attempt has finished (the multiplexer then reconnects by itself).</summary>
    public bool IsCreated => _connecting.IsCompletedSuccessfully;

    public Task<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken) =>
        _connecting.IsCompleted ? _connecting : _connecting.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_owned && _connecting.IsCompletedSuccessfully)
        {
            await _connecting.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
        => await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
}
