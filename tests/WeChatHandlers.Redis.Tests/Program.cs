using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Redis.Tests;

/// <summary>
/// The test assembly run as a program is the instance the fault tests kill: <c>dotnet WeChatHandlers.Redis.Tests.dll
/// host &lt;redis&gt;</c> starts the real endpoint with the Redis dedupe store and the test handlers on a loopback port,
/// prints <c>LISTENING &lt;address&gt;</c>, then <c>STARTED &lt;handler&gt;</c> whenever a handler begins. Its handlers
/// never finish on their own: the parent kills the process mid-handler, or writes <c>RELEASE</c> to its standard input
/// to let the handler return (the child prints <c>FINISHED Slow.end</c>) and kills it after that.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 2 || args[0] != "host")
        {
            await Console.Error.WriteLineAsync("usage: host <redis configuration> [lease]");
            return 2;
        }

        var lease = args.Length > 2 ? TimeSpan.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : TimeSpan.FromSeconds(1);
        var probe = new AspNetCore.Tests.Probe();
        await using var app = await AspNetCore.Tests.TestApp.StartAsync(
            o => o.DedupeLease = lease,
            services: s =>
            {
                s.AddSingleton(probe);
                s.AddWeChatRedisDedupe(args[1]);
            });
        Console.WriteLine($"LISTENING {app.Client.BaseAddress}");
        await probe.Started("Slow.start").Task;
        Console.WriteLine("STARTED Slow.start");
        while (await Console.In.ReadLineAsync() is { } command)
        {
            if (command == "RELEASE")
            {
                probe.Gate.Release();
                await probe.Started("Slow.end").Task;
                Console.WriteLine("FINISHED Slow.end");
            }
        }

        // Held here until killed.
        await Task.Delay(Timeout.InfiniteTimeSpan);
        return 0;
    }
}
