using System.Text.RegularExpressions;

namespace WeChatHandlers.Generators.Tests;

/// <summary>The README's "Typed events" snippets compile together, with the generator and analyzer, without a warning.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public async Task Typed_events_snippets_compile_and_run()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        int start = readme.IndexOf("\n## Typed events", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no 'Typed events' section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = end < 0 ? readme[start..] : readme[start..end];
        var blocks = CSharpBlock().Matches(section).Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count >= 2, "the section should show a handler and a declared type");

        // Each block is a file of a plain SDK project (its implicit usings) and brings its own `using WeChatHandlers;`.
        const string ImplicitUsings = "global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\nglobal using System.Threading;\nglobal using System.Threading.Tasks;\n";
        string[] sources = [ImplicitUsings, .. blocks, Audit];
        var (output, files) = TestCompilation.GenerateClean(sources);
        Assert.Contains("LivePushResult.WeChatPayload.g.cs", files.Keys);
        Assert.Empty(await TestCompilation.AnalyzeAsync(sources));

        var results = await TestCompilation.RunAsync(
            output,
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>wxalive_push_message_notify</Event>"
            + "<PushMessageApiNotify><message_id>m1</message_id><room_id>42</room_id><total_count>10</total_count><success_count>9</success_count></PushMessageApiNotify></xml>",
            """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"xpay_refund_notify","refund_fee":"300","items":{"sku":"a","Amount":1.5}}""");

        Assert.Equal(["LiveHandlers.Pushed|Success|room 42: 9 of 10 delivered", "LiveHandlers.Refunded|Success|refund of 300 over 1 line(s)"], results);
    }

    // The snippets' IAudit, resolved from DI, writes into the probe's log.
    private const string Audit = TestCompilation.Usings + """
        using System.Collections.Generic;
        using Microsoft.Extensions.DependencyInjection;

        public sealed class Log
        {
            public List<string> Lines { get; } = new();
        }

        public sealed class RecordingAudit(Log log) : IAudit
        {
            public void Write(string line) => log.Lines.Add(line);
        }

        public static class Probe
        {
            public static async Task<string> Dispatch(string payload)
            {
                var services = new ServiceCollection();
                services.AddScoped<Log>();
                services.AddScoped<IAudit, RecordingAudit>();
                services.AddWeChatHandlers();
                using var root = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
                using var scope = root.CreateScope();
                var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();
                var result = await dispatcher.DispatchAsync(System.Text.Encoding.UTF8.GetBytes(payload), scope.ServiceProvider, CancellationToken.None);
                return result.HandlerName + "|" + result.Reply.Kind + "|" + string.Join(";", scope.ServiceProvider.GetRequiredService<Log>().Lines);
            }
        }
        """;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WeChatHandlers.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("WeChatHandlers.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
