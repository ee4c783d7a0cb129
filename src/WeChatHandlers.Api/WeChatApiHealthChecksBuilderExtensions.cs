using Microsoft.Extensions.Diagnostics.HealthChecks;
using WeChatHandlers.Api;

// In the DI namespace, beside AddWeChatApi and AddHealthChecks.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of the WeChat API client.</summary>
public static class WeChatApiHealthChecksBuilderExtensions
{
    /// <summary>
    /// Checks the access-token source: healthy while a token can be had for every configured mini program (a cached
    /// or shared token costs no call to WeChat); otherwise <paramref name="failureStatus"/>, naming the AppId and
    /// WeChat's errcode. Needs <c>AddWeChatApi</c>.
    /// </summary>
    /// <param name="builder">From <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">Reported when a token cannot be had.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>).</param>
    /// <param name="timeout">How long the check may take; the health check service's default when <see langword="null"/>.</param>
    public static IHealthChecksBuilder AddWeChatAccessTokenCheck(this IHealthChecksBuilder builder, string name = "wechat-access-token",
        HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new AccessTokenHealthCheck(sp.GetRequiredService<IAccessTokenProvider>(), sp.GetRequiredService<WeChatAccounts>()),
            failureStatus,
            tags,
            timeout));
    }
}
