using System.Net;
using MyWeChatApp;
using WeChatHandlers;
using WeChatHandlers.Testing;

namespace MyWeChatApp.Tests;

/// <summary>
/// The real app (its Program) on loopback Kestrel, pushed to as WeChat pushes, replying to a fake WeChat API.
/// </summary>
public sealed class SupportHandlersTests : IAsyncLifetime
{
    private readonly WeChatAppFactory<Program> _app = new();

    public Task InitializeAsync() => _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Entering_the_chat_sends_the_menu()
    {
        var response = await _app.SendAsync(WeChatPush.UserEnterTempSession("product-page").From("user-1"));

        Assert.True(response.IsSuccess);
        Assert.Equal(["SupportHandlers.Welcome"], response.Handlers);
        var sent = Assert.Single(_app.Api.Messages);
        Assert.Equal("user-1", sent.ToUser);
        Assert.Equal("Hi! " + SupportHandlers.Menu, sent.Text);
    }

    [Theory]
    [InlineData(WeChatFormat.Xml, false)]
    [InlineData(WeChatFormat.Json, true)]
    public async Task An_order_number_is_looked_up(WeChatFormat format, bool encrypt)
    {
        await _app.SendAsync(WeChatPush.Text("order 1024"), new WeChatPushOptions { Format = format, Encrypt = encrypt });

        Assert.Equal("Order 1024 has shipped.", Assert.Single(_app.Api.Messages).Text);
    }

    [Fact]
    public async Task Anything_else_is_handed_to_a_person()
    {
        var response = await _app.SendAsync(WeChatPush.Text("my parcel is late"), new WeChatPushOptions { Encrypt = true });

        Assert.True(response.IsTransferToCustomerService);
        Assert.True(response.ReplyWasEncrypted);
        Assert.Empty(_app.Api.Messages);
    }

    [Fact]
    public async Task A_closed_reply_window_is_logged_not_retried()
    {
        _app.Api.FailNext(WeChatApiPaths.Send, 45015);

        var response = await _app.SendAsync(WeChatPush.Text("help"));

        // The handler's failure is logged and counted; WeChat still gets success and does not retry.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_app.Api.Messages);
    }

    [Fact]
    public async Task The_health_check_and_url_verification_answer()
    {
        using var http = new HttpClient { BaseAddress = _app.Address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.True((await _app.CreatePushClient().VerifyUrlAsync()).Succeeded);
    }
}
