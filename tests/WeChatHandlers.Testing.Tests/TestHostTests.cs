using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Api;

namespace WeChatHandlers.Testing.Tests;

public sealed class TestHostTests : IAsyncLifetime
{
    private WeChatTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await WeChatTestHost.StartAsync(services => services.AddWeChatHandlers().AddSingleton<Seen>());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Seen Seen => _host.Services.GetRequiredService<Seen>();

    [Theory]
    [InlineData(WeChatFormat.Xml, false)]
    [InlineData(WeChatFormat.Json, false)]
    [InlineData(WeChatFormat.Xml, true)]
    [InlineData(WeChatFormat.Json, true)]
    public async Task A_push_runs_its_handler_and_the_reply_is_recorded(WeChatFormat format, bool encrypt)
    {
        string user = $"user-{format}-{encrypt}";
        var response = await _host.SendAsync(WeChatPush.Text("help").From(user), new WeChatPushOptions { Format = format, Encrypt = encrypt });

        Assert.True(response.IsSuccess, response.ToString());
        Assert.Equal(["KitHandlers.Help"], response.Handlers);
        var sent = Assert.Single(_host.Api.Messages, m => m.ToUser == user);
        Assert.Equal("menu", sent.Text);
        Assert.True(_host.Api.TokenRequests >= 1);
    }

    [Theory]
    [InlineData(WeChatFormat.Xml, false)]
    [InlineData(WeChatFormat.Json, true)]
    [InlineData(WeChatFormat.Xml, true)]
    public async Task A_transfer_reply_is_decoded_and_decrypted(WeChatFormat format, bool encrypt)
    {
        var response = await _host.SendAsync(WeChatPush.Text("a person please").From("user-transfer"), new WeChatPushOptions { Format = format, Encrypt = encrypt });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(encrypt, response.ReplyWasEncrypted);
        Assert.True(response.IsTransferToCustomerService, response.ToString());
        Assert.Equal("user-transfer", response.GetReplyField("ToUserName"));
        Assert.Equal(WeChatPush.DefaultOriginalId, response.GetReplyField("FromUserName"));
        Assert.Equal(["KitHandlers.Human"], response.Handlers);
    }

    [Fact]
    public async Task Events_from_templates_reach_their_handlers()
    {
        var welcome = await _host.SendAsync(WeChatPush.UserEnterTempSession("order-page").From("user-enter"), new WeChatPushOptions { Format = WeChatFormat.Json });
        Assert.Equal(["KitHandlers.Welcome"], welcome.Handlers);
        Assert.Equal("welcome from order-page", Assert.Single(_host.Api.Messages, m => m.ToUser == "user-enter").Text);

        var check = await _host.SendAsync(WeChatPush.Event("wxa_media_check").From("user-check").With("trace_id", "trace-42"), new WeChatPushOptions { Encrypt = true });
        Assert.True(check.IsSuccess);
        Assert.Equal("trace-42", Seen.ByUser["user-check"]);
    }

    [Fact]
    public async Task Typing_and_media_calls_are_recorded()
    {
        _host.Api.SetMedia("media-in", [1, 2, 3], "image/png");
        var response = await _host.SendAsync(WeChatPush.Text("typing").From("user-media"));

        Assert.True(response.IsSuccess, response.ToString());
        Assert.Equal(new SentTypingCommand("user-media", "Typing"), Assert.Single(_host.Api.TypingCommands, t => t.ToUser == "user-media"));
        var upload = Assert.Single(_host.Api.Uploads);
        Assert.Equal([1, 2, 3], upload.Content);
        Assert.Equal("echo.jpg", upload.FileName);
        var image = Assert.Single(_host.Api.Messages, m => m.ToUser == "user-media");
        Assert.Equal(upload.MediaId, image.Get("media_id"));
        Assert.Contains(_host.Api.Calls, c => c.Api == WeChatApiPaths.GetMedia && c.Query["media_id"] == "media-in");
    }

    [Theory]
    [InlineData(45015)]
    [InlineData(45047)]
    [InlineData(48001)]
    public async Task The_fake_api_answers_errors_when_told(int errcode)
    {
        string user = "user-error-" + errcode;
        _host.Api.FailNext(WeChatApiPaths.Send, errcode);
        await _host.SendAsync(WeChatPush.Text("try this").From(user));

        Assert.Equal("errcode " + errcode, Seen.ByUser[user]);
        Assert.DoesNotContain(_host.Api.Messages, m => m.ToUser == user);
        Assert.Contains(_host.Api.Calls, c => c.Api == WeChatApiPaths.Send && c.ErrorCode == errcode);
    }

    [Fact]
    public async Task A_rejected_token_is_refreshed_and_busy_is_retried_by_the_client()
    {
        _host.Api.FailNext(WeChatApiPaths.Send, 40001);
        _host.Api.FailNext(WeChatApiPaths.Send, -1);
        await _host.SendAsync(WeChatPush.Text("try again").From("user-retry"));

        Assert.Equal("sent", Seen.ByUser["user-retry"]);
        Assert.Equal("try again", Assert.Single(_host.Api.Messages, m => m.ToUser == "user-retry").Text);
        Assert.Equal([40001, -1, 0], _host.Api.Calls.Where(c => c.Api == WeChatApiPaths.Send).Select(c => c.ErrorCode).TakeLast(3));
    }

    [Fact]
    public async Task Verification_get_and_refusals_look_like_wechat()
    {
        var client = _host.CreateClient();
        Assert.True((await client.VerifyUrlAsync("4375120948345356249")).Succeeded);

        var forged = WeChatPush.Text("help").Sign(_host.Account with { Token = "wrong" });
        var refused = await client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(refused.Handlers);
        Assert.Null(refused.Reply);
    }

    [Fact]
    public async Task A_duplicate_runs_nothing()
    {
        var push = WeChatPush.Text("help").From("user-dup");
        Assert.Equal(["KitHandlers.Help"], (await _host.SendAsync(push)).Handlers);
        var again = await _host.SendAsync(push, new WeChatPushOptions { Encrypt = true });
        Assert.True(again.IsSuccess);
        Assert.Empty(again.Handlers);
        Assert.Single(_host.Api.Messages, m => m.ToUser == "user-dup");
    }

    [Fact]
    public async Task Pushes_go_straight_to_the_dispatcher_too()
    {
        using var scope = _host.Services.CreateScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();
        var result = await dispatcher.DispatchAsync(WeChatPush.Event("wxa_media_check").From("user-direct").With("trace_id", "direct"), scope.ServiceProvider, WeChatFormat.Json);

        Assert.True(result.Handled);
        Assert.Equal("KitHandlers.MediaCheck", result.HandlerName);
        Assert.Equal("direct", Seen.ByUser["user-direct"]);
        Assert.IsAssignableFrom<ICustomerServiceClient>(scope.ServiceProvider.GetRequiredService<ICustomerServiceClient>());
    }
}
