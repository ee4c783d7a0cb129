namespace WeChatHandlers.Api;

/// <summary>A lock shared between instances, so that one of them at a time refreshes an account's token.</summary>
public interface IAccessTokenLock
{
    /// <summary>
    /// Tries to take <paramref name="key"/> for at most <paramref name="lease"/>. Returns a handle that releases the lock
    /// (only if still ours) when disposed, or <see langword="null"/> when another holder has it.
    /// </summary>
    /// <param name="key">The lock's name.</param>
    /// <param name="lease">When the lock frees itself should the holder die.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(string key, TimeSpan lease, CancellationToken cancellationToken);
}
