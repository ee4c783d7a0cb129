using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using WeChatHandlers.Api.Json;

namespace WeChatHandlers.Api;

/// <summary>
/// An <see cref="IAccessTokenStore"/> over <see cref="IDistributedCache"/> and an <see cref="IAccessTokenLock"/>:
/// every instance reads the same token, and only the lock holder fetches a new one.
/// </summary>
public sealed class DistributedAccessTokenStore : IAccessTokenStore
{
    private readonly IDistributedCache _cache;
    private readonly IAccessTokenLock _lock;
    private readonly TimeProvider _time;
    private readonly string _keyPrefix;

    /// <summary>Creates the store.</summary>
    /// <param name="cache">Where tokens are shared.</param>
    /// <param name="refreshLock">The lock that lets one instance at a time fetch.</param>
    /// <param name="time">The clock tokens' expiry is measured on.</param>
    /// <param name="keyPrefix">Prefixes the cache and lock keys, which end with the AppId.</param>
    public DistributedAccessTokenStore(IDistributedCache cache, IAccessTokenLock refreshLock, TimeProvider time, string keyPrefix = "wechat:")
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(refreshLock);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        _cache = cache;
        _lock = refreshLock;
        _time = time;
        _keyPrefix = keyPrefix;
    }

    /// <summary>The cache key of <paramref name="appId"/>'s token.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    public string TokenKey(string appId) => $"{_keyPrefix}access_token:{appId}";

    /// <summary>The lock key of <paramref name="appId"/>'s refresh.</summary>
    /// <param name="appId">The mini program's AppId.</param>
    public string LockKey(string appId) => $"{_keyPrefix}access_token_lock:{appId}";

    /// <inheritdoc />
    public async ValueTask<AccessToken?> GetAsync(string appId, CancellationToken cancellationToken)
    {
        var bytes = await _cache.GetAsync(TokenKey(appId), cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        StoredAccessToken? stored;
        try
        {
            stored = JsonSerializer.Deserialize(bytes, WeChatApiJsonContext.Wire.StoredAccessToken);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The shared access token entry '{TokenKey(appId)}' is not readable; delete it to let it be fetched again.", e);
        }

        return stored is null || string.IsNullOrEmpty(stored.Value)
            ? throw new InvalidDataException($"The shared access token entry '{TokenKey(appId)}' is empty; delete it to let it be fetched again.")
            : new AccessToken(stored.Value, DateTimeOffset.FromUnixTimeMilliseconds(stored.ExpiresAtUnixMilliseconds));
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(string appId, AccessToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var remaining = token.ExpiresAt - _time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(
            new StoredAccessToken(token.Value, token.ExpiresAt.ToUnixTimeMilliseconds()),
            WeChatApiJsonContext.Wire.StoredAccessToken);
        await _cache.SetAsync(
            TokenKey(appId),
            bytes,
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = remaining },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable?> TryAcquireRefreshLockAsync(string appId, TimeSpan lease, CancellationToken cancellationToken)
        => _lock.TryAcquireAsync(LockKey(appId), lease, cancellationToken);
}
