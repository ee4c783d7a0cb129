using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore;

/// <summary>One configured mini program, with its crypto built once at start-up.</summary>
internal sealed class WeChatAccount
{
    public WeChatAccount(WeChatCallbackAccountOptions options)
    {
        AppId = options.AppId;
        Token = options.Token;
        OriginalId = options.OriginalId;
        RequireEncryption = options.RequireEncryption;
        Crypto = string.IsNullOrEmpty(options.EncodingAESKey) ? null : new WeChatCrypto(options.Token, options.EncodingAESKey, options.AppId ?? string.Empty);
        Name = AppId ?? OriginalId ?? "default";
        OriginalIdUtf8 = OriginalId is null ? null : System.Text.Encoding.UTF8.GetBytes(OriginalId);
    }

    public string? AppId { get; }

    public string Token { get; }

    public string? OriginalId { get; }

    /// <summary>The original id's UTF-8 bytes, compared against each push's ToUserName without allocating.</summary>
    public byte[]? OriginalIdUtf8 { get; }

    public bool RequireEncryption { get; }

    public WeChatCrypto? Crypto { get; }

    public string Name { get; }
}

/// <summary>The configured accounts, and how a request selects one: the route value <c>appId</c>, or the push's ToUserName.</summary>
internal sealed class WeChatAccounts
{
    private readonly WeChatAccount[] _all;

    public WeChatAccounts(IOptions<WeChatCallbackOptions> options)
    {
        _all = [.. options.Value.AllAccounts().Select(a => new WeChatAccount(a))];
    }

    public IReadOnlyList<WeChatAccount> All => _all;

    public bool TryResolveByRoute(HttpContext http, out IReadOnlyList<WeChatAccount> candidates)
    {
        // Through the feature: when routing set no route values, none are created just to be searched.
        if (http.Features.Get<IRouteValuesFeature>()?.RouteValues is { } values && values.TryGetValue("appId", out var value) && value is string appId)
        {
            foreach (var account in _all)
            {
                if (string.Equals(account.AppId, appId, StringComparison.Ordinal))
                {
                    candidates = [account];
                    return true;
                }
            }

            candidates = [];
            return false;
        }

        candidates = _all;
        return true;
    }

    public static WeChatAccount? ResolveByOriginalId(IReadOnlyList<WeChatAccount> candidates, in WeChatPayload payload)
    {
        foreach (var account in candidates)
        {
            if (account.OriginalIdUtf8 is { } id && payload.ValueEquals(WeChatField.ToUserName, id))
            {
                return account;
            }
        }

        return null;
    }
}
