using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WeChatHandlers.Api;

/// <summary>
/// Healthy when an access token can be had for every configured mini program: from the cache or store when one is
/// held (no call to WeChat), else by fetching it. A fetch WeChat refuses (a wrong AppSecret: 40001, 40013; an IP not
/// in the whitelist: 61004), a store that fails, or no answer in time makes the check report the failure status with
/// the AppId and the reason (never the token or the secret).
/// </summary>
internal sealed class AccessTokenHealthCheck(IAccessTokenProvider tokens, WeChatAccounts accounts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        Exception? first = null;
        foreach (string appId in accounts.AppIds)
        {
            try
            {
                await tokens.GetAccessTokenAsync(appId, cancellationToken).ConfigureAwait(false);
                data[appId] = "ok";
            }
            catch (Exception e) when (e is WeChatApiException or HttpRequestException or TimeoutException ||
                                      (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                string reason = e is WeChatApiException api ? $"errcode {api.ErrorCode} {LogValue.Clean(api.ErrorMessage)}" : $"{e.GetType().Name}: {e.Message}";
                data[appId] = reason;
                problems.Add($"{appId}: {reason}");
                first ??= e;
            }
        }

        if (data.Count == 0)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "No mini program is configured (WeChat:AppId).");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy($"Access tokens available for {data.Count} mini program(s).", data)
            : new HealthCheckResult(context.Registration.FailureStatus, "No access token for " + string.Join("; ", problems), first, data);
    }
}
