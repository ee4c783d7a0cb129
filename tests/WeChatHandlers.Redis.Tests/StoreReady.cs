using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WeChatHandlers.AspNetCore.Tests;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Redis.Tests;

/// <summary>
/// An instance's Redis connection comes up in the background (abortConnect=false), and until it is up a push is refused
/// with 503 for WeChat to retry. A test that expects its first push to run waits for the store's health check first.
/// </summary>
internal static class StoreReady
{
    public static Task WaitAsync(TestApp app)
    {
        var health = app.Services.GetRequiredService<HealthCheckService>();
        return Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, "the dedupe store is reachable");
    }
}
