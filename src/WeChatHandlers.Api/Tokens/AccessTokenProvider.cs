using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WeChatHandlers.Api.Json;

namespace WeChatHandlers.Api;

/// <summary>
/// The <see cref="IAccessTokenProvider"/>: an in-process copy in front of the <see cref="IAccessTokenStore"/>, one
/// flight per AppId so concurrent callers in this process share one fetch (its token or its failure), and the store's
/// refresh lock so several instances cause one fetch between them.
/// </summary>
internal sealed class AccessTokenProvider : IAccessTokenProvider
{
    internal const string StableTokenApi = "cgi-bin/stable_token";
    internal const string ClassicTokenApi = "cgi-bin/token";

    // protocol.md §8.3: stop using a token 300 s before WeChat's expiry, when stable_token starts handing out the next one.
    internal static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(300);

    private readonly WeChatAccounts _accounts;
    private readonly IAccessTokenStore _store;
    private readonly WeChatApiTransport _transport;
    private readonly WeChatApiOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessTokenProvider> _logger;
    private readonly ConcurrentDictionary<string, AccessToken> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Flight> _flights = new(StringComparer.Ordinal);

    public AccessTokenProvider(
        WeChatAccounts accounts,
        IAccessTokenStore store,
        WeChatApiTransport transport,
        IOptions<WeChatApiOptions> options,
        TimeProvider time,
        ILogger<AccessTokenProvider> logger)
    {
        _accounts = accounts;
        _store = store;
        _transport = transport;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public ValueTask<string> GetAccessTokenAsync(string appId, CancellationToken cancellationToken = default)
        => ObtainAsync(appId, null, cancellationToken);

    public ValueTask<string> RefreshAccessTokenAsync(string appId, string rejectedToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rejectedToken);
        return ObtainAsync(appId, rejectedToken, cancellationToken);
    }

    private ValueTask<string> ObtainAsync(string appId, string? rejected, CancellationToken cancellationToken)
    {
        var account = _accounts.Get(appId);
        return TryLocal(appId, rejected) is { } cached
            ? ValueTask.FromResult(cached)
            : new ValueTask<string>(ObtainSlowAsync(account, rejected, cancellationToken));
    }

    private string? TryLocal(string appId, string? rejected)
        => _local.TryGetValue(appId, out var token) && token.IsUsableAt(_time.GetUtcNow()) && token.Value != rejected
            ? token.Value
            : null;

    private async Task<string> ObtainSlowAsync(WeChatAccountOptions account, string? rejected, CancellationToken cancellationToken)
    {
        var flight = JoinOrStart(account, rejected);
        string token = await flight.Token.WaitAsync(cancellationToken).ConfigureAwait(false);

        // A flight started for another caller may bring back the very token this caller saw rejected (the store still
        // held it): then one flight of its own, whose answer stands (a refresh may rightly return the same token).
        if (token == rejected && flight.Rejected != rejected)
        {
            token = await JoinOrStart(account, rejected).Token.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return token;
    }

    /// <summary>
    /// The fetch in flight for the AppId, or a new one. A flight runs to its end whoever stops waiting for it (each
    /// caller waits with its own token), bounded by <see cref="WeChatApiOptions.RequestTimeout"/> per request and by
    /// the refresh lock's lease; everyone waiting gets its token or its failure, so an outage costs one request at a
    /// time, not one per caller.
    /// </summary>
    private Flight JoinOrStart(WeChatAccountOptions account, string? rejected)
    {
        var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mine = new Flight(rejected, completion.Task);
        var current = _flights.GetOrAdd(account.AppId, mine);
        if (ReferenceEquals(current, mine))
        {
            _ = FlyAsync(account, mine, completion);
        }

        return current;
    }

    private async Task FlyAsync(WeChatAccountOptions account, Flight flight, TaskCompletionSource<string> completion)
    {
        string? token = null;
        Exception? failure = null;
        try
        {
            token = await FetchSharedAsync(account, flight.Rejected).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        // Gone before it completes: a caller that sees its answer and asks again starts a new flight.
        _flights.TryRemove(KeyValuePair.Create(account.AppId, flight));
        if (failure is null)
        {
            completion.SetResult(token!);
        }
        else
        {
            completion.SetException(failure);

            // Observed here: when every caller stopped waiting, nobody else reads the failure.
            _ = completion.Task.Exception;
        }
    }

    private async Task<string> FetchSharedAsync(WeChatAccountOptions account, string? rejected)
    {
        var appId = account.AppId;

        // A flight that ended just before this one started may have fetched already.
        if (TryLocal(appId, rejected) is { } cached)
        {
            return cached;
        }

        // A lock holder that died is replaced once its lease runs out, so waiting longer than that means trouble.
        var giveUpAt = _time.GetUtcNow() + (_options.TokenLockLease * 2);
        var logged = false;
        while (true)
        {
            if (await ReadStoreAsync(appId, rejected, CancellationToken.None).ConfigureAwait(false) is { } shared)
            {
                return shared;
            }

            var held = await _store.TryAcquireRefreshLockAsync(appId, _options.TokenLockLease, CancellationToken.None).ConfigureAwait(false);
            if (held is not null)
            {
                await using (held.ConfigureAwait(false))
                {
                    // Re-read under the lock: another instance may have stored a token between our read and our lock.
                    if (await ReadStoreAsync(appId, rejected, CancellationToken.None).ConfigureAwait(false) is { } stored)
                    {
                        return stored;
                    }

                    var fresh = await FetchAsync(account, CancellationToken.None).ConfigureAwait(false);
                    await _store.SetAsync(appId, fresh, CancellationToken.None).ConfigureAwait(false);
                    _local[appId] = fresh;
                    return fresh.Value;
                }
            }

            if (!logged)
            {
                Log.WaitingForRefreshLock(_logger, appId);
                logged = true;
            }

            if (_time.GetUtcNow() >= giveUpAt)
            {
                throw new TimeoutException($"Gave up waiting for another instance to refresh the access token of AppId {appId}.");
            }

            await Task.Delay(_options.TokenLockPollInterval, _time).ConfigureAwait(false);
        }
    }

    /// <summary>One fetch for an AppId, and the rejected token it must not come back with.</summary>
    private sealed record Flight(string? Rejected, Task<string> Token);

    private async Task<string?> ReadStoreAsync(string appId, string? rejected, CancellationToken cancellationToken)
    {
        var token = await _store.GetAsync(appId, cancellationToken).ConfigureAwait(false);
        if (token is null || !token.IsUsableAt(_time.GetUtcNow()) || token.Value == rejected)
        {
            return null;
        }

        _local[appId] = token;
        return token.Value;
    }

    private async Task<AccessToken> FetchAsync(WeChatAccountOptions account, CancellationToken cancellationToken)
    {
        var fetchedAt = _time.GetUtcNow();
        var classic = _options.TokenMode == AccessTokenMode.Classic;
        var api = classic ? ClassicTokenApi : StableTokenApi;
        var context = WeChatApiJsonContext.Wire;
        var result = await _transport.SendJsonAsync(
            api,
            account.AppId,
            () => classic
                ? new HttpRequestMessage(HttpMethod.Get, new Uri(
                    $"{ClassicTokenApi}?grant_type=client_credential&appid={Uri.EscapeDataString(account.AppId)}&secret={Uri.EscapeDataString(account.AppSecret)}",
                    UriKind.Relative))
                : new HttpRequestMessage(HttpMethod.Post, new Uri(StableTokenApi, UriKind.Relative))
                {
                    Content = WeChatApiTransport.JsonContent(
                        new StableTokenRequest("client_credential", account.AppId, account.AppSecret, ForceRefresh: false),
                        context.StableTokenRequest),
                },
            context.AccessTokenResult,
            cancellationToken).ConfigureAwait(false);

        if (string.IsNullOrEmpty(result.AccessToken) || result.ExpiresIn <= 0)
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"WeChat API {api} for AppId {account.AppId} answered without an access token or expiry.");
        }

        var lifetime = TimeSpan.FromSeconds(result.ExpiresIn);

        // stable_token promises expires_in >= 300. A lifetime under twice the margin is used for half of it (rather than
        // nothing): continuous with the margin rule, which takes over at 600 s.
        var usable = lifetime > ExpiryMargin * 2 ? lifetime - ExpiryMargin : lifetime / 2;
        var token = new AccessToken(result.AccessToken, fetchedAt + usable);
        Log.TokenFetched(_logger, account.AppId, api, token.ExpiresAt);
        return token;
    }
}
