namespace WeChatHandlers.Api;

/// <summary>
/// Hands out access tokens per mini program: cached until <c>expires_in − 300 s</c>, fetched by one caller at a
/// time (concurrent callers wait for that single fetch), shared through the registered <see cref="IAccessTokenStore"/>.
/// </summary>
public interface IAccessTokenProvider
{
    /// <summary>A usable access token for <paramref name="appId"/>, fetched only when none is cached.</summary>
    /// <param name="appId">A configured AppId.</param>
    /// <param name="cancellationToken">Cancels the wait (not a fetch other callers share).</param>
    ValueTask<string> GetAccessTokenAsync(string appId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A token other than <paramref name="rejectedToken"/>, which WeChat refused (40001, 40014, 42001). When another
    /// caller or instance already replaced it, that replacement is returned without a new fetch.
    /// </summary>
    /// <param name="appId">A configured AppId.</param>
    /// <param name="rejectedToken">The token WeChat refused.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask<string> RefreshAccessTokenAsync(string appId, string rejectedToken, CancellationToken cancellationToken = default);
}
