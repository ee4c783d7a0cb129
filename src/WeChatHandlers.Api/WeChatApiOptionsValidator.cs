using Microsoft.Extensions.Options;

namespace WeChatHandlers.Api;

/// <summary>Checks <see cref="WeChatApiOptions"/> at start-up and names every problem it finds.</summary>
/// <remarks>Hand-written rather than attribute-driven: the rules span several members, and it keeps validation free of reflection.</remarks>
internal sealed class WeChatApiOptionsValidator : IValidateOptions<WeChatApiOptions>
{
    public ValidateOptionsResult Validate(string? name, WeChatApiOptions options)
    {
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var hasDefault = !string.IsNullOrEmpty(options.AppId) || !string.IsNullOrEmpty(options.AppSecret);
        if (hasDefault)
        {
            CheckAccount("WeChat", options.AppId, options.AppSecret, seen, failures);
        }

        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var account = options.Accounts[i];
            CheckAccount($"WeChat:Accounts:{i}", account.AppId, account.AppSecret, seen, failures);
        }

        if (!hasDefault && options.Accounts.Count == 0)
        {
            failures.Add("WeChat:AppId and WeChat:AppSecret are required (or at least one entry in WeChat:Accounts).");
        }

        if (!Uri.TryCreate(options.ApiBaseAddress, UriKind.Absolute, out var baseAddress)
            || (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"WeChat:ApiBaseAddress must be an absolute http(s) URL; got '{options.ApiBaseAddress}'.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("WeChat:RequestTimeout must be positive.");
        }

        if (options.BusyRetryCount < 0)
        {
            failures.Add("WeChat:BusyRetryCount must not be negative.");
        }

        if (options.BusyRetryDelay < TimeSpan.Zero)
        {
            failures.Add("WeChat:BusyRetryDelay must not be negative.");
        }

        if (options.MaxTrackedWindows < 1)
        {
            failures.Add("WeChat:MaxTrackedWindows must be at least 1.");
        }

        if (options.TokenLockLease <= TimeSpan.Zero)
        {
            failures.Add("WeChat:TokenLockLease must be positive.");
        }

        if (options.TokenLockPollInterval <= TimeSpan.Zero)
        {
            failures.Add("WeChat:TokenLockPollInterval must be positive.");
        }

        if (!Enum.IsDefined(options.TokenMode))
        {
            failures.Add($"WeChat:TokenMode must be Stable or Classic; got '{options.TokenMode}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckAccount(string where, string appId, string appSecret, HashSet<string> seen, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(appId))
        {
            failures.Add($"{where}:AppId is required.");
        }
        else if (!seen.Add(appId))
        {
            failures.Add($"{where}:AppId '{appId}' is configured more than once.");
        }

        if (string.IsNullOrWhiteSpace(appSecret))
        {
            failures.Add($"{where}:AppSecret is required for AppId '{appId}'.");
        }
    }
}
