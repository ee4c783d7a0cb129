using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WeChatHandlers.AspNetCore;
using WeChatHandlers.AspNetCore.Tests;
using WeChatHandlers.Security;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Redis.Tests;

/// <summary>
/// Faults on a real Redis-protocol server: an instance killed mid-handler, the store taken away and brought back
/// empty, an instance started while the store is unreachable. Each message is counted: run once, never lost.
/// </summary>
[Trait("Category", "Redis")]
public sealed class RedisFaultTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => redis.StartAsync();

    // Every test leaves the server running for the next, whatever it did to it.
    public Task DisposeAsync() => redis.StartAsync();

    [Fact]
    public async Task A_message_whose_instance_is_killed_mid_handler_runs_exactly_once_on_another()
    {
        using var doomed = await ChildHost.StartAsync(redis.Configuration, lease: TimeSpan.FromSeconds(1));
        var probe = new Probe();
        await using var survivor = await StartSurvivorAsync(probe);
        string push = TestApp.TextXml("slow", 5001);

        // WeChat's first delivery reaches the instance that dies while the handler runs.
        var first = await doomed.DeliverUntilStartedAsync(push);
        doomed.Kill();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => first.WaitAsync(s_guard));

        // Its two retries reach another instance: the first takes the message over once the dead owner's lease has
        // run out and runs it; the second finds it done.
        var second = await survivor.PostPlainAsync(push).WaitAsync(s_guard);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("success", await second.Content.ReadAsStringAsync());
        var third = await survivor.PostPlainAsync(push).WaitAsync(s_guard);
        Assert.Equal("success", await third.Content.ReadAsStringAsync());

        Assert.Equal(1, probe.Count("Slow.start"));
        Assert.Equal(1, probe.Count("Slow.end"));
    }

    [Fact]
    public async Task A_message_whose_instance_dies_with_its_done_mark_in_flight_and_its_answer_lost_runs_again_rather_than_being_lost()
    {
        // The instance reaches the store through a relay that can keep its writes from arriving, as a process that
        // dies with commands still on the wire.
        await using var relay = new HoldingRelay(redis.Configuration);
        using var doomed = await ChildHost.StartAsync(relay.Configuration, lease: TimeSpan.FromSeconds(1));
        var probe = new Probe();
        await using var survivor = await StartSurvivorAsync(probe);
        string push = TestApp.TextXml("slow", 5002);

        // The handler starts (its claim reached the store), then finishes; its done mark is written but never lands:
        // the instance dies with the mark on its way.
        var first = await doomed.DeliverUntilStartedAsync(push);
        relay.Hold();
        await doomed.SendLineAsync("RELEASE");
        await doomed.WaitForLineAsync("FINISHED Slow.end");
        await relay.WaitHeldAsync("|m|5002\r\n$1\r\nD\r\n", s_guard);
        doomed.Kill();

        // The answer of that first delivery may or may not have left the dead instance; WeChat did not get it (lost on
        // the way, or later than its 5 s), so it delivers again, to another instance.
        var lost = await Record.ExceptionAsync(() => first.WaitAsync(s_guard));
        Assert.True(lost is null or HttpRequestException, $"the first delivery ended with {lost}");

        // The store still holds the dead run's lease: the retry waits until it runs out, then runs the message again.
        // Twice in all (the README's one window no store closes), and not lost. The next retry finds it done.
        var second = await survivor.PostPlainAsync(push).WaitAsync(s_guard);
        Assert.Equal("success", await second.Content.ReadAsStringAsync());
        var third = await survivor.PostPlainAsync(push).WaitAsync(s_guard);
        Assert.Equal("success", await third.Content.ReadAsStringAsync());
        Assert.Equal(1, probe.Count("Slow.start"));
        Assert.Equal(1, probe.Count("Slow.end"));
    }

    [Fact]
    public async Task The_store_stopping_and_coming_back_empty_mid_stream_loses_nothing_and_doubles_nothing()
    {
        var probe = new Probe();
        await using var a = await TestApp.StartAsync(services: s => Share(s, probe));
        await using var b = await TestApp.StartAsync(services: s => Share(s, probe));
        await WaitHealthyAsync(a);
        await WaitHealthyAsync(b);
        var wechat = new WeChatRetries([a, b]);

        for (int id = 1; id <= 10; id++)
        {
            Assert.Equal(HttpStatusCode.OK, await wechat.DeliverAsync(id));
        }

        // A handler is running when the store goes away.
        var inFlight = a.PostPlainAsync(TestApp.TextXml("slow", 99));
        await probe.Started("Slow.start").Task.WaitAsync(s_guard);
        await redis.StopAsync();

        // Every push meanwhile is refused, so WeChat will retry it.
        for (int id = 11; id <= 20; id++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await wechat.DeliverAsync(id));
        }

        // The running handler finishes; recording its outcome fails, and WeChat still gets the truth: it ran.
        probe.Gate.Release();
        Assert.Equal("success", await (await inFlight.WaitAsync(s_guard)).Content.ReadAsStringAsync());

        await redis.StartAsync();
        await WaitHealthyAsync(a);
        await WaitHealthyAsync(b);

        // WeChat's retries of the refused pushes: the first runs each message, the next finds it done.
        for (int id = 11; id <= 20; id++)
        {
            Assert.Equal(HttpStatusCode.OK, await wechat.DeliverAsync(id));
            Assert.Equal(HttpStatusCode.OK, await wechat.DeliverAsync(id));
        }

        for (int id = 1; id <= 20; id++)
        {
            Assert.Equal(1, Runs(probe, id));
        }

        Assert.Equal(1, probe.Count("Slow.end"));
    }

    [Fact]
    public async Task With_the_store_down_a_push_is_answered_503_within_the_bound_and_its_retry_runs_once()
    {
        var probe = new Probe();
        await using var app = await TestApp.StartAsync(services: s => Share(s, probe));
        await WaitHealthyAsync(app);
        using var rejected = app.Counter("wechat.requests.rejected");
        Assert.Equal("success", await (await app.PostPlainAsync(TestApp.TextXml("m0", 7000))).Content.ReadAsStringAsync());

        await redis.StopAsync();
        var clock = Stopwatch.StartNew();
        var refused = await app.PostPlainAsync(TestApp.TextXml("m1", 7001));
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("dedupe_store_unavailable", await refused.Content.ReadAsStringAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"answered after {clock.Elapsed.TotalMilliseconds} ms");
        Assert.Equal("dedupe_store_unavailable", Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]);
        // One line for the refused claim. (The first push's done mark is written after its answer, so it may have been
        // in flight when the store went away: that failure has its own line, "failed to record the outcome of".)
        var line = Assert.Single(app.Logs.GetSnapshot(), r => r.Message.Contains("dedupe store failed to claim", StringComparison.Ordinal));
        Assert.Null(line.Exception);
        Assert.DoesNotContain(probe.Calls, c => c.Detail == "m1");

        await redis.StartAsync();
        await WaitHealthyAsync(app);
        Assert.Equal("success", await (await app.PostPlainAsync(TestApp.TextXml("m1", 7001))).Content.ReadAsStringAsync());
        Assert.Equal("success", await (await app.PostPlainAsync(TestApp.TextXml("m1", 7001))).Content.ReadAsStringAsync());
        Assert.Single(probe.Calls, c => c.Detail == "m1");
    }

    [Fact]
    public async Task A_done_mark_the_store_refuses_after_the_handler_ran_is_logged_and_counted_once_and_the_push_still_succeeds()
    {
        // A server that takes claims and refuses done marks, as a Redis at its memory limit with a volatile policy may.
        await using var server = new FakeRespServer(command => command switch
        {
            ["SET", _, "D", ..] => "-OOM command not allowed when used memory > 'maxmemory'.\r\n",
            ["INFO", ..] => "$0\r\n\r\n",
            _ => "+OK\r\n",
        });
        var probe = new Probe();
        await using var app = await TestApp.StartAsync(services: s =>
        {
            s.AddSingleton(probe);
            s.AddWeChatRedisDedupe(server.Configuration);
        });
        await WaitHealthyAsync(app);
        using var failures = app.Counter("wechat.dedupe.store_failures");

        Assert.Equal("success", await (await app.PostPlainAsync(TestApp.TextXml("m-oom", 7100))).Content.ReadAsStringAsync());

        // The gate counts, then logs: waiting for the line, the count is there too.
        await Eventually.HoldsAsync(
            () => app.Logs.GetSnapshot().Any(r => r.Message.Contains("failed to record the outcome of", StringComparison.Ordinal)),
            "the refused mark is logged");
        var counted = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal("complete", counted.Tags["operation"]);
        var line = Assert.Single(app.Logs.GetSnapshot(), r => r.Message.Contains("failed to record the outcome of", StringComparison.Ordinal));
        Assert.Contains("OOM command not allowed", line.Message, StringComparison.Ordinal);
        Assert.Contains("a retry may run the handler again", line.Message, StringComparison.Ordinal);
        Assert.Null(line.Exception);
        Assert.Single(probe.Calls, c => c.Detail == "m-oom");
        Assert.Single(server.Commands, c => c is ["SET", _, "D", ..]);
    }

    [Fact]
    public async Task An_instance_starts_while_the_store_is_unreachable_and_its_health_check_says_so()
    {
        var probe = new Probe();
        await redis.StopAsync();
        await using var app = await TestApp.StartAsync(services: s => Share(s, probe));

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries[WeChatRedisServiceCollectionExtensions.DedupeHealthCheckName].Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.PostPlainAsync(TestApp.TextXml("m1", 7101))).StatusCode);

        await redis.StartAsync();
        await WaitHealthyAsync(app);
        Assert.Equal("success", await (await app.PostPlainAsync(TestApp.TextXml("m1", 7101))).Content.ReadAsStringAsync());
        Assert.Single(probe.Calls, c => c.Detail == "m1");
    }

    private static int Runs(Probe probe, int id) => probe.Calls.Count(c => c.Handler == "AnyText" && c.Detail == Content(id));

    private static string Content(int id) => "m" + id.ToString(CultureInfo.InvariantCulture);

    private static Task WaitHealthyAsync(TestApp app) => StoreReady.WaitAsync(app);

    /// <summary>The instance WeChat's retries reach: the child's lease, handlers that finish at once, connected.</summary>
    private async Task<TestApp> StartSurvivorAsync(Probe probe)
    {
        probe.Gate.Release(100);
        var survivor = await TestApp.StartAsync(o => o.DedupeLease = TimeSpan.FromSeconds(1), services: s => Share(s, probe));
        try
        {
            await WaitHealthyAsync(survivor);
            return survivor;
        }
        catch
        {
            await survivor.DisposeAsync();
            throw;
        }
    }

    private void Share(IServiceCollection services, Probe probe)
    {
        services.AddSingleton(probe);
        services.AddWeChatRedisDedupe(redis.Configuration);
    }

    /// <summary>WeChat's side: each delivery of message <c>id</c> goes to the next instance, round robin.</summary>
    private sealed class WeChatRetries(TestApp[] instances)
    {
        private int _next;

        public async Task<HttpStatusCode> DeliverAsync(int id)
        {
            var instance = instances[_next++ % instances.Length];
            var response = await instance.PostPlainAsync(TestApp.TextXml(Content(id), 6000 + id)).WaitAsync(s_guard);
            return response.StatusCode;
        }
    }

    /// <summary>This test assembly run as a separate process (see <see cref="Program"/>), so that it can be killed.</summary>
    private sealed class ChildHost : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly SemaphoreSlim _newLine = new(0);
        private readonly StringBuilder _errors = new();
        private HttpClient? _client;

        private ChildHost(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    lock (_lines)
                    {
                        _lines.Add(line);
                    }

                    _newLine.Release();
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static async Task<ChildHost> StartAsync(string redisConfiguration, TimeSpan lease)
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var start = new ProcessStartInfo(dotnet)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { typeof(Program).Assembly.Location, "host", redisConfiguration, lease.ToString("c", CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            var child = new ChildHost(Process.Start(start) ?? throw new InvalidOperationException("the child host did not start"));
            try
            {
                string listening = await child.WaitForAsync("LISTENING ");
                child._client = new HttpClient { BaseAddress = new Uri(listening["LISTENING ".Length..]) };
                return child;
            }
            catch
            {
                child.Dispose();
                throw;
            }
        }

        public Task<HttpResponseMessage> PostPlainAsync(string body)
        {
            string timestamp = "1714037059", nonce = "424242";
            string signature = WeChatSignature.ComputeSignature(TestApp.Token, timestamp, nonce);
            return _client!.PostAsync($"/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}", new StringContent(body, Encoding.UTF8, "text/xml"));
        }

        public Task WaitForLineAsync(string line) => WaitForAsync(line);

        public async Task SendLineAsync(string line)
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }

        /// <summary>
        /// WeChat's deliveries of <paramref name="push"/> until its handler has started here. A child that has not yet
        /// connected to the store refuses a push with 503 (its connection comes up in the background), and WeChat
        /// delivers again. Returns the delivery the handler runs for, still waiting for its answer.
        /// </summary>
        public async Task<Task<HttpResponseMessage>> DeliverUntilStartedAsync(string push)
        {
            var started = WaitForLineAsync("STARTED Slow.start");
            while (true)
            {
                var delivery = PostPlainAsync(push);
                if (await Task.WhenAny(delivery, started).WaitAsync(s_guard) == started)
                {
                    await started;
                    return delivery;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await delivery).StatusCode);
                await Task.Delay(50);
            }
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
            _client?.Dispose();
        }

        private async Task<string> WaitForAsync(string prefix)
        {
            var started = Stopwatch.StartNew();
            while (true)
            {
                lock (_lines)
                {
                    if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } found)
                    {
                        return found;
                    }
                }

                if (_process.HasExited || started.Elapsed > s_guard)
                {
                    string said, errors;
                    lock (_lines)
                    {
                        said = string.Join('\n', _lines);
                    }

                    lock (_errors)
                    {
                        errors = _errors.ToString();
                    }

                    throw new InvalidOperationException($"The child host never printed '{prefix}' (exited: {_process.HasExited}). Output:\n{said}\nErrors:\n{errors}");
                }

                await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200));
            }
        }
    }
}
