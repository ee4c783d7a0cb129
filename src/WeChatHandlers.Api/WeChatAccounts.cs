using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace WeChatHandlers.Api;

/// <summary>The configured mini programs by AppId, and which one is the default.</summary>
internal sealed class WeChatAccounts
{
    private readonly FrozenDictionary<string, WeChatAccountOptions> _byAppId;

    public WeChatAccounts(IOptions<WeChatApiOptions> options)
    {
        var all = options.Value.AllAccounts().ToList();
        _byAppId = all.DistinctBy(static a => a.AppId, StringComparer.Ordinal)
            .ToFrozenDictionary(static a => a.AppId, StringComparer.Ordinal);
        DefaultAppId = all.Count > 0 ? all[0].AppId : "";
    }

    public string DefaultAppId { get; }

    public IEnumerable<string> AppIds => _byAppId.Keys;

    public WeChatAccountOptions Get(string appId)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        return _byAppId.TryGetValue(appId, out var account)
            ? account
            : throw new ArgumentException($"AppId '{appId}' is not configured; configured: {string.Join(", ", _byAppId.Keys)}.", nameof(appId));
    }
}
