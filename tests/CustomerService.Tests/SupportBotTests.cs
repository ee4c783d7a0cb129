using System.Net;
using WeChatHandlers;
using WeChatHandlers.Testing;

namespace CustomerService.Tests;

/// <summary>The support bot through its real Program, as WeChat reaches it: every reply checked where it lands.</summary>
public sealed class SupportBotTests : IAsyncLifetime
{
    private readonly WeChatAppFactory<Program> _app = new();

    public Task InitializeAsync() => _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(WeChatFormat.Xml, false)]
    [InlineData(WeChatFormat.Json, true)]
    public async Task Help_sends_the_menu_through_the_customer_service_api(WeChatFormat format, bool encrypt)
    {
        var response = await _app.CreatePushClient().SendAsync(WeChatPush.Text("help").From("user-help"), new WeChatPushOptions { Format = format, Encrypt = encrypt });

        Assert.True(response.IsSuccess);
        Assert.Equal(["SupportBot.Help"], response.Handlers);
        var sent = Assert.Single(_app.Api.Messages);
        Assert.Equal("user-help", sent.ToUser);
        Assert.StartsWith("Menu: 'order <number>' tracks an order", sent.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entering_the_chat_is_welcomed()
    {
        var response = await _app.SendAsync(WeChatPush.UserEnterTempSession("card").From("user-in"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hi! Type 'help' for the menu.", Assert.Single(_app.Api.Messages).Text);
    }

    [Theory]
    [InlineData(WeChatFormat.Xml)]
    [InlineData(WeChatFormat.Json)]
    public async Task Any_other_text_is_handed_to_a_person(WeChatFormat format)
    {
        var response = await _app.CreatePushClient().SendAsync(WeChatPush.Text("my parcel is late"), new WeChatPushOptions { Format = format, Encrypt = true });

        Assert.True(response.ReplyWasEncrypted);
        Assert.True(response.IsTransferToCustomerService);
        Assert.Empty(_app.Api.Messages);
    }

    [Theory]
    [InlineData(WeChatFormat.Xml)]
    [InlineData(WeChatFormat.Json)]
    public async Task A_risky_verdict_on_a_picture_tells_its_sender(WeChatFormat format)
    {
        var client = _app.CreatePushClient();
        var options = new WeChatPushOptions { Format = format };
        await client.SendAsync(WeChatPush.Image("media-7").From("user-pic"), options);
        var verdict = WeChatPush.Event("wxa_media_check")
            .With("trace_id", MediaReviews.TraceIdFor("media-7"))
            .With("result.suggest", "risky");

        var response = await client.SendAsync(verdict, options);

        Assert.Equal(["SupportBot.MediaVerdict"], response.Handlers);
        Assert.Equal(
            ["Thanks, we received your picture and will look at it.", "Sorry, we could not accept your picture: it did not pass the content check."],
            _app.Api.Messages.Where(m => m.ToUser == "user-pic").Select(m => m.Text));
    }

    [Theory]
    [InlineData(WeChatFormat.Xml)]
    [InlineData(WeChatFormat.Json)]
    public async Task Subscription_choices_are_recorded(WeChatFormat format)
    {
        var popup = WeChatPush.Event("subscribe_msg_popup_event").From("user-sub").With("List[0].SubscribeStatusString", "accept");

        var response = await _app.CreatePushClient().SendAsync(popup, new WeChatPushOptions { Format = format });

        Assert.Equal(["SupportBot.Subscribed"], response.Handlers);
        Assert.StartsWith("Thanks! You will get ", Assert.Single(_app.Api.Messages).Text, StringComparison.Ordinal);
    }
}
