using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Redis.Tests;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.AspNetCore.Tests;

[Trait("Category", "Redis")]
public class RedisDedupeTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task Two_instances_receiving_the_same_messages_run_each_handler_once()
    {
        var probe = new Probe();
        await using var first = await StartAsync(probe);
        await using var second = await StartAsync(probe);
        await StoreReady.WaitAsync(first);
        await StoreReady.WaitAsync(second);

        // One push through each first, so the race below does not also pay for the first requests' compilation.
        Assert.Equal("success", await (await first.PostPlainAsync(TestApp.TextXml("warm", 8901))).Content.ReadAsStringAsync());
        Assert.Equal("success", await (await second.PostPlainAsync(TestApp.TextXml("warm", 8902))).Content.ReadAsStringAsync());

        // WeChat's retry may land on either instance, concurrently with the first delivery.
        var sends = new List<Task<HttpResponseMessage>>();
        for (long id = 1; id <= 20; id++)
        {
            sends.Add(first.PostPlainAsync(TestApp.TextXml("hello", 9000 + id)));
            sends.Add(second.PostPlainAsync(TestApp.TextXml("hello", 9000 + id)));
        }

        foreach (var response in await Task.WhenAll(sends))
        {
            Assert.Equal("success", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(20, probe.Count("Hello"));
    }

    [Fact]
    public async Task A_failure_on_one_instance_lets_the_retry_on_the_other_run()
    {
        var probe = new Probe();
        await using var first = await StartAsync(probe);
        await using var second = await StartAsync(probe);
        await StoreReady.WaitAsync(first);
        await StoreReady.WaitAsync(second);
        await first.PostPlainAsync(TestApp.TextXml("flaky", 8001));
        await second.PostPlainAsync(TestApp.TextXml("flaky", 8001));
        await first.PostPlainAsync(TestApp.TextXml("flaky", 8001));
        Assert.Equal(2, probe.Count("Flaky"));
    }

    // These tests are about exactly once across instances, not about a slow store: on a loaded 2-core machine forty
    // concurrent pushes could keep a Redis call past the default 1 s store timeout (a 503, as designed), so the store
    // is given the most time the handler deadline allows.
    private Task<TestApp> StartAsync(Probe probe) => TestApp.StartAsync(
        o =>
        {
            o.HandlerDeadline = TimeSpan.FromSeconds(4.9);
            o.DedupeStoreTimeout = TimeSpan.FromSeconds(4.5);
        },
        s => Share(s, probe));

    private void Share(Microsoft.Extensions.DependencyInjection.IServiceCollection services, Probe probe)
    {
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, probe);
        services.AddWeChatRedisDedupe(redis.Configuration);
    }
}
