using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace WeChatHandlers.Testing;

/// <summary>
/// Plays WeChat against a callback URL: POSTs signed (and encrypted) pushes and reads back the decoded answer, and
/// plays the console's URL-verification GET. Works against any endpoint (a test host, a running service);
/// <see cref="WeChatTestHost"/> and <see cref="WeChatAppFactory{TEntryPoint}"/> hand out clients that also report
/// which handler ran.
/// </summary>
public sealed class WeChatPushClient
{
    private readonly HttpClient _http;
    private readonly HandlerObserver? _observer;

    /// <summary>A client for <paramref name="endpoint"/>, signing with <paramref name="account"/>.</summary>
    /// <param name="http">The HTTP client (not disposed here).</param>
    /// <param name="endpoint">The callback URL, e.g. <c>http://127.0.0.1:5080/wechat</c>.</param>
    /// <param name="account">The Token (and key) the endpoint is configured with; <see cref="WeChatTestAccount.Default"/> when <see langword="null"/>.</param>
    public WeChatPushClient(HttpClient http, Uri endpoint, WeChatTestAccount? account = null)
        : this(http, endpoint, account ?? WeChatTestAccount.Default, null)
    {
    }

    internal WeChatPushClient(HttpClient http, Uri endpoint, WeChatTestAccount account, HandlerObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http;
        Endpoint = endpoint;
        Account = account;
        _observer = observer;
    }

    /// <summary>The callback URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>The account pushes are signed with.</summary>
    public WeChatTestAccount Account { get; }

    /// <summary>Signs <paramref name="push"/> with <see cref="Account"/> and POSTs it.</summary>
    /// <param name="push">The push.</param>
    /// <param name="options">Format, safe mode, timestamp, nonce; plaintext XML when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<WeChatPushResponse> SendAsync(WeChatPush push, WeChatPushOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(push);
        return SendAsync(push.Sign(Account, options), cancellationToken);
    }

    /// <summary>POSTs an already signed push (for example one whose signature a test altered).</summary>
    /// <param name="push">The signed push.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<WeChatPushResponse> SendAsync(WeChatSignedPush push, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(push);
        using var request = push.ToHttpRequest(Endpoint);
        string tag = Guid.NewGuid().ToString("N");
        if (_observer is not null)
        {
            request.Headers.Add(HandlerObserver.Header, tag);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return WeChatPushResponse.FromBody(response.StatusCode, body, push.Account, _observer?.Take(tag) ?? []);
    }

    /// <summary>
    /// Plays the URL verification of the mini program console's "Submit": a GET with <c>signature</c>,
    /// <c>timestamp</c>, <c>nonce</c> and <c>echostr</c>; the endpoint must answer 200 with exactly the echostr.
    /// </summary>
    /// <param name="echostr">The echostr; random digits when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<WeChatUrlVerification> VerifyUrlAsync(string? echostr = null, CancellationToken cancellationToken = default)
    {
        echostr ??= RandomNumberGenerator.GetInt32(int.MaxValue).ToString(CultureInfo.InvariantCulture) +
                    RandomNumberGenerator.GetInt32(int.MaxValue).ToString(CultureInfo.InvariantCulture);
        string timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        string nonce = RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        string signature = WeChatHandlers.Security.WeChatSignature.ComputeSignature(Account.Token, timestamp, nonce);
        var uri = new UriBuilder(Endpoint)
        {
            Query = $"signature={signature}&timestamp={timestamp}&nonce={nonce}&echostr={Uri.EscapeDataString(echostr)}",
        }.Uri;
        using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new WeChatUrlVerification(response.StatusCode, echostr, body);
    }
}

/// <summary>The outcome of a URL-verification GET.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Echostr">The echostr sent.</param>
/// <param name="Body">The body received.</param>
public sealed record WeChatUrlVerification(HttpStatusCode StatusCode, string Echostr, string Body)
{
    /// <summary>Whether WeChat would accept it: 200 and the body is exactly the echostr.</summary>
    public bool Succeeded => StatusCode == HttpStatusCode.OK && Body == Echostr;
}
