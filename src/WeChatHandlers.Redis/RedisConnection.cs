using StackExchange.Redis;

namespace WeChatHandlers.Redis;

/// <summary>One lazily opened Redis connection shared by the token cache and the refresh lock.</summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly Func<IServiceProvider, CancellationToken, Task<IConnectionMultiplexer>> _open;
    private readonly IServiceProvider _services;
    private readonly bool _owned;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnectionMultiplexer? _connection;

    public RedisConnection(IServiceProvider services, Func<IServiceProvider, CancellationToken, Task<IConnectionMultiplexer>> open, bool owned)
    {
        _services = services;
        _open = open;
        _owned = owned;
    }

    public async Task<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _connection ??= await _open(_services, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned && _connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (_owned)
        {
            _connection?.Dispose();
        }
    }
}
