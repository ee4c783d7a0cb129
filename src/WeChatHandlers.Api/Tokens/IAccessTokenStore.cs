namespace WeChatHandlers.Api;

/// <summary>
/// Where access tokens live and how their refresh is coordinated. The default keeps them in process; the distributed
/// store shares them between instances so that only one instance fetches and none invalidates another's token.
/// </summary>
public interface IAccessTokenStore
{
    /// <summary>The stored token for <paramref name="appId"/>, or <see langword="null"/>.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<AccessToken?> GetAsync(string appId, CancellationToken cancellationToken);

    /// <summary>Stores a freshly fetched token for <paramref name="appId"/> until its <see cref="AccessToken.ExpiresAt"/>.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask SetAsync(string appId, AccessToken token, CancellationToken cancellationToken);

    /// <summary>
    /// Tries to become the one fetcher of <paramref name="appId"/>'s token. Returns a handle that releases the lock when
    /// disposed, or <see langword="null"/> when someone else holds it (then re-read the store a little later).
    /// </summary>
    /// <param name="appId">The mini program's AppId.</param>
    /// <param name="lease">The longest the lock is held should its holder die.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    ValueTask<IAsyncDisposable?> TryAcquireRefreshLockAsync(string appId, TimeSpan lease, CancellationToken cancellationToken);
}
