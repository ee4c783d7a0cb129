using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WeChatHandlers.AspNetCore.Tests;

/// <summary>A real redis-server on a free loopback port, started for the tests and stopped after them.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    public string Configuration { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        int port = FreePort();
        var start = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run 'apt-get install -y redis-server' (.ci/run does).", ex);
        }

        Configuration = $"127.0.0.1:{port},abortConnect=false";
        for (int i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not start on port {port}.");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public class RedisDedupeTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Two_instances_receiving_the_same_messages_run_each_handler_once()
    {
        var probe = new Probe();
        await using var first = await TestApp.StartAsync(services: s => Share(s, probe));
        await using var second = await TestApp.StartAsync(services: s => Share(s, probe));

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
        await using var first = await TestApp.StartAsync(services: s => Share(s, probe));
        await using var second = await TestApp.StartAsync(services: s => Share(s, probe));
        await first.PostPlainAsync(TestApp.TextXml("flaky", 8001));
        await second.PostPlainAsync(TestApp.TextXml("flaky", 8001));
        await first.PostPlainAsync(TestApp.TextXml("flaky", 8001));
        Assert.Equal(2, probe.Count("Flaky"));
    }

    private void Share(Microsoft.Extensions.DependencyInjection.IServiceCollection services, Probe probe)
    {
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, probe);
        services.AddWeChatRedisDedupe(redis.Configuration);
    }
}
