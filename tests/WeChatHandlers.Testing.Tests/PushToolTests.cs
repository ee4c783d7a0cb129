using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Push;

namespace WeChatHandlers.Testing.Tests;

/// <summary>The wechat-push tool's entry point, run in-process against a real endpoint on loopback.</summary>
public sealed class PushToolTests : IAsyncLifetime
{
    private WeChatTestHost _host = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() =>
        _host = await WeChatTestHost.StartAsync(services => services.AddWeChatHandlers().AddSingleton<Seen>());

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await PushCommand.RunAsync(args, output, error, _http, _ => null);
        return (code, output.ToString(), error.ToString());
    }

    private string Url => _host.Endpoint.ToString();

    private string[] Safe => ["--token", _host.Account.Token, "--aes-key", _host.Account.EncodingAESKey!, "--appid", _host.Account.AppId];

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Send_an_event_in_plaintext(string format)
    {
        var (code, output, error) = await RunAsync("send", Url, "--event", "user_enter_tempsession", "--field", "SessionFrom=tool", "--from", "tool-" + format,
            "--format", format, "--token", _host.Account.Token);

        Assert.True(code == 0, error);
        Assert.Contains("plaintext", output);
        Assert.Contains("<- 200 success", output);
        Assert.Equal("welcome from tool", Assert.Single(_host.Api.Messages, m => m.ToUser == "tool-" + format).Text);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Send_a_message_in_safe_mode_and_read_the_decrypted_reply(string format)
    {
        var (code, output, error) = await RunAsync(["send", Url, "--type", "text", "--field", "Content=a person please", "--format", format, .. Safe]);

        Assert.True(code == 0, error);
        Assert.Contains("safe mode", output);
        Assert.Contains("<- 200 encrypted reply, decrypted: ", output);
        Assert.Contains("transfer_customer_service", output);
    }

    [Fact]
    public async Task Send_a_file_as_it_is()
    {
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, WeChatPush.Event("wxa_media_check").From("tool-file").With("trace_id", "from-file").ToJson());
            var (code, output, error) = await RunAsync(["send", Url, "--file", file, .. Safe]);

            Assert.True(code == 0, error);
            Assert.Contains("JSON, safe mode", output);
            Assert.Equal("from-file", _host.Services.GetRequiredService<Seen>().ByUser["tool-file"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Verify_plays_the_console_get()
    {
        var (code, output, _) = await RunAsync("verify", Url, "--token", _host.Account.Token, "--echostr", "4375120948345356249");
        Assert.Equal(0, code);
        Assert.Contains("<- 200 4375120948345356249", output);

        var (wrong, _, error) = await RunAsync("verify", Url, "--token", "not-the-token");
        Assert.Equal(1, wrong);
        Assert.Contains("check the Token", error);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_the_exit_code_says_so()
    {
        var (code, output, _) = await RunAsync("send", Url, "--type", "text", "--token", "not-the-token");
        Assert.Equal(1, code);
        Assert.Contains("<- 401", output);
    }

    [Theory]
    [InlineData("send", "http://127.0.0.1:1/wechat", "--token", "t")]
    [InlineData("send", "http://127.0.0.1:1/wechat", "--event", "x", "--type", "text", "--token", "t")]
    [InlineData("send", "not a url", "--type", "text", "--token", "t")]
    [InlineData("send", "http://127.0.0.1:1/wechat", "--type", "text")]
    [InlineData("send", "http://127.0.0.1:1/wechat", "--type", "text", "--token", "t", "--aes-key", "short", "--appid", "wx1")]
    [InlineData("send", "http://127.0.0.1:1/wechat", "--type", "text", "--token", "t", "--format", "yaml")]
    [InlineData("push")]
    [InlineData("send", "http://127.0.0.1:1/wechat", "--file", "/nonexistent/captured-push.xml", "--token", "t")]
    public async Task Usage_errors_exit_2_with_a_reason(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.NotEmpty(error.Trim());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("fake-api", "--help")]
    [InlineData("send", "-h")]
    public async Task Help_as_or_after_the_command_prints_the_usage(params string[] args)
    {
        var (code, output, _) = await RunAsync(args);
        Assert.Equal(0, code);
        Assert.Contains("fake-api", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_names_the_templates()
    {
        var (code, output, _) = await RunAsync("list");
        Assert.Equal(0, code);
        Assert.Contains("subscribe_msg_popup_event", output);
    }
}

/// <summary><c>wechat-push fake-api</c>: a service run by hand replies to it; Ctrl+C (the token) stops it.</summary>
public sealed class FakeApiCommandTests
{
    /// <summary>Completes when a line containing a text is written: the test waits on output, not on a clock.</summary>
    private sealed class WatchedWriter : StringWriter
    {
        private readonly Lock _sync = new();
        private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waits = [];

        public Task<string> WaitForAsync(string text)
        {
            lock (_sync)
            {
                var existing = ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
                if (existing is not null)
                {
                    return Task.FromResult(existing);
                }

                var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((text, seen));
                return seen.Task;
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_sync)
            {
                base.WriteLine(value);
                foreach (var (text, seen) in _waits.Where(w => value?.Contains(w.Text, StringComparison.Ordinal) == true).ToList())
                {
                    seen.TrySetResult(value!);
                }
            }
        }
    }

    [Fact]
    public async Task A_service_replies_to_the_fake_api_command_and_each_call_is_printed()
    {
        using var output = new WatchedWriter();
        using var stop = new CancellationTokenSource();
        var account = WeChatTestAccount.Default;
        var run = PushCommand.RunAsync(["fake-api", "--port", "0", "--appid", account.AppId, "--secret", account.AppSecret], output, TextWriter.Null,
            environment: _ => null, cancellationToken: stop.Token);

        string line = await output.WaitForAsync("WeChat__ApiBaseAddress=").WaitAsync(TimeSpan.FromMinutes(1));
        var api = new Uri(line[(line.IndexOf('=') + 1)..].Trim());
        await using (var host = await WeChatTestHost.StartAsync(
            builder =>
            {
                builder.Configuration["WeChat:ApiBaseAddress"] = api.ToString();
                builder.Services.AddWeChatHandlers().AddSingleton<Seen>();
                builder.Services.AddWeChatCallback(builder.Configuration.GetSection("WeChat"));
                builder.Services.AddWeChatApi(builder.Configuration.GetSection("WeChat"));
            },
            app => app.MapWeChatCallback("/wechat")))
        {
            Assert.True((await host.SendAsync(WeChatPush.Text("help").From("by-hand"))).IsSuccess);
        }

        string sent = await output.WaitForAsync(WeChatApiPaths.Send).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Contains("errcode 0", sent);
        Assert.Contains("\"touser\":\"by-hand\"", sent);
        Assert.Contains("cgi-bin/stable_token -> errcode 0: access token", output.ToString());

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }
}
