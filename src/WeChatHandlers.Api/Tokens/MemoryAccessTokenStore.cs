using System.Collections.Concurrent;

namespace WeChatHandlers.Api;

/// <summary>The default <see cref="IAccessTokenStore"/>: tokens in this process only.</summary>
/// <remarks>Fine for one instance. With several, each fetches its own; use the Redis store instead.</remarks>
public sealed class MemoryAccessTokenStore : IAccessTokenStore
{
    private readonly ConcurrentDictionary<string, AccessToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<AccessToken?> GetAsync(string appId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_tokens.TryGetValue(appId, out var token) ? token : null);

    /// <inheritdoc />
    public ValueTask SetAsync(string appId, AccessToken token, CancellationToken cancellationToken)
    {
        _tokens[appId] = token;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable?> TryAcquireRefreshLockAsync(string appId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(appId, static _ => new SemaphoreSlim(1, 1));
        return ValueTask.FromResult<IAsyncDisposable?>(gate.Wait(0, cancellationToken) ? new Release(gate) : null);
    }

    private sealed class Release(SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
