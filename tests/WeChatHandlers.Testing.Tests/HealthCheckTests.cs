using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Testing.Tests;

/// <summary>The access-token health check, against the kit's fake WeChat API.</summary>
public sealed class HealthCheckTests
{
    private static Task<WeChatTestHost> StartAsync() => WeChatTestHost.StartAsync(
        builder =>
        {
            builder.Services.AddWeChatApi(builder.Configuration.GetSection("WeChat"));
            builder.Services.AddHealthChecks().AddWeChatAccessTokenCheck();
        },
        app => app.MapHealthChecks("/healthz"));

    [Fact]
    public async Task Healthy_when_a_token_can_be_had_and_a_cached_one_costs_no_call()
    {
        await using var host = await StartAsync();
        using var http = host.CreateHttpClient();

        var first = await http.GetAsync("/healthz");
        var second = await http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Healthy", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, host.Api.TokenRequests);
    }

    [Theory]
    [InlineData(40013)]
    [InlineData(40001)]
    [InlineData(-1)]
    public async Task Unhealthy_while_WeChat_refuses_the_token_and_healthy_again_after(int errcode)
    {
        await using var host = await StartAsync();
        using var http = host.CreateHttpClient();
        // -1 (busy) is retried by the client: fail every attempt.
        host.Api.FailNext(WeChatApiPaths.StableToken, errcode, times: errcode == -1 ? 3 : 1);

        var refused = await http.GetAsync("/healthz");
        var recovered = await http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("Unhealthy", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task The_report_names_the_app_id_and_the_errcode_but_no_secret()
    {
        await using var host = await StartAsync();
        host.Api.FailNext(WeChatApiPaths.StableToken, 40013, "invalid appid");
        var service = host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();

        var report = await service.CheckHealthAsync();

        var entry = report.Entries["wechat-access-token"];
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, entry.Status);
        Assert.Contains(host.Account.AppId, entry.Description);
        Assert.Contains("errcode 40013", entry.Description);
        Assert.DoesNotContain(host.Account.AppSecret, entry.Description);
        Assert.Equal("errcode 40013 invalid appid", entry.Data[host.Account.AppId]);
    }
}
