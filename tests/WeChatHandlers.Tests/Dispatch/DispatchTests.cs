using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Tests.Dispatch;

/// <summary>The generated dispatcher and <c>AddWeChatHandlers</c> of this very project, built by the real compiler.</summary>
public sealed class DispatchTests : IDisposable
{
    private readonly ServiceProvider _root;

    public DispatchTests()
    {
        var services = new ServiceCollection();
        services.AddScoped<DispatchLog>();
        services.AddWeChatHandlers();
        _root = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(SeedPackets.TextXml, WeChatFormat.Xml)]
    [InlineData(SeedPackets.TextJson, WeChatFormat.Json)]
    public async Task Text_packet_reaches_the_exact_text_handler_with_every_field(string packet, WeChatFormat format)
    {
        var (result, call, bytes) = await DispatchOne(packet);

        Assert.True(result.Handled);
        Assert.Equal("SeedHandlers.Text", result.HandlerName);
        Assert.Equal(WeChatReply.Success, result.Reply);
        Assert.Equal("Text", call.Handler);
        var message = Assert.IsType<TextMessage>(call.Message);
        Assert.Equal("toUser", message.ToUserName);
        Assert.Equal("fromUser", message.FromUserName);
        Assert.Equal(1482048670, message.CreateTime);
        Assert.Equal("this is a test", message.Content);
        Assert.Equal(1234567890123456, message.MsgId);
        AssertContext(call.Context, format, bytes);
    }

    [Theory]
    [InlineData(SeedPackets.ImageXml, WeChatFormat.Xml)]
    [InlineData(SeedPackets.ImageJson, WeChatFormat.Json)]
    public async Task Image_packet_reaches_the_image_handler_with_every_field(string packet, WeChatFormat format)
    {
        var (result, call, bytes) = await DispatchOne(packet);

        Assert.True(result.Handled);
        Assert.Equal("SeedHandlers.Image", result.HandlerName);
        Assert.Equal(WeChatReply.Success, result.Reply);
        var message = Assert.IsType<ImageMessage>(call.Message);
        Assert.Equal("toUser", message.ToUserName);
        Assert.Equal("fromUser", message.FromUserName);
        Assert.Equal(1482048670, message.CreateTime);
        Assert.Equal("this is a url", message.PicUrl);
        Assert.Equal("media_id", message.MediaId);
        Assert.Equal(1234567890123456, message.MsgId);
        AssertContext(call.Context, format, bytes);
    }

    [Theory]
    [InlineData(SeedPackets.MiniProgramPageXml, WeChatFormat.Xml)]
    [InlineData(SeedPackets.MiniProgramPageJson, WeChatFormat.Json)]
    public async Task Card_packet_reaches_the_card_handler_with_every_field(string packet, WeChatFormat format)
    {
        var (result, call, bytes) = await DispatchOne(packet);

        Assert.True(result.Handled);
        Assert.Equal("SeedHandlers.Page", result.HandlerName);
        Assert.Equal(WeChatReply.TransferToCustomerService(), result.Reply);
        var message = Assert.IsType<MiniProgramPageMessage>(call.Message);
        Assert.Equal("toUser", message.ToUserName);
        Assert.Equal("fromUser", message.FromUserName);
        Assert.Equal(1482048670, message.CreateTime);
        Assert.Equal(1234567890123456, message.MsgId);
        Assert.Equal("title", message.Title);
        Assert.Equal("appid", message.AppId);
        Assert.Equal("path", message.PagePath);
        Assert.Equal(string.Empty, message.ThumbUrl);
        Assert.Equal(string.Empty, message.ThumbMediaId);
        AssertContext(call.Context, format, bytes);
    }

    [Theory]
    [InlineData(SeedPackets.EnterSessionXml, WeChatFormat.Xml)]
    [InlineData(SeedPackets.EnterSessionJson, WeChatFormat.Json)]
    public async Task Enter_session_event_reaches_the_async_static_handler_with_every_field(string packet, WeChatFormat format)
    {
        var (result, call, bytes) = await DispatchOne(packet);

        Assert.True(result.Handled);
        Assert.Equal("SeedHandlers.Enter", result.HandlerName);
        Assert.Equal(WeChatReply.Empty, result.Reply);
        var message = Assert.IsType<UserEnterTempSessionEvent>(call.Message);
        Assert.Equal("toUser", message.ToUserName);
        Assert.Equal("fromUser", message.FromUserName);
        Assert.Equal(1482048670, message.CreateTime);
        Assert.Equal("sessionFrom", message.SessionFrom);
        AssertContext(call.Context, format, bytes);
    }

    [Theory]
    [InlineData(SeedPackets.TextXml, "SeedHandlers.Text", WeChatAckMode.Default)]
    [InlineData(SeedPackets.MiniProgramPageJson, "SeedHandlers.Page", WeChatAckMode.AfterHandler)]
    [InlineData(SeedPackets.EnterSessionXml, "SeedHandlers.Enter", WeChatAckMode.Immediately)]
    public void Route_carries_the_handler_name_and_ack_mode(string packet, string handler, WeChatAckMode ack)
    {
        var dispatcher = _root.GetRequiredService<IWeChatDispatcher>();
        var route = dispatcher.Route(global::WeChatHandlers.Payloads.WeChatPayload.Parse(SeedPackets.Utf8(packet)));

        Assert.True(route.IsHandled);
        Assert.Equal(handler, route.HandlerName);
        Assert.Equal(ack, route.Ack);
        Assert.Null(route.Text);
    }

    [Theory]
    [InlineData("<xml><ToUserName>a</ToUserName><MsgType>text</MsgType><Content>unterminated</Content>")]
    [InlineData("<!DOCTYPE xml><xml><MsgType>text</MsgType><Content>this is a test</Content></xml>")]
    [InlineData("""{"MsgType":"text","Content":"this is a test","CreateTime":"soon"}""")]
    [InlineData("""{"MsgType":"text","Content":"this is a test",""")]
    [InlineData("text")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><Content>this is a test</Content></xml>")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":1,"MsgType":"event"}""")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content><![CDATA[this is a \u0001test]]></Content></xml>")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>this is]]>a test</Content></xml>")]
    public async Task Malformed_payload_throws_and_runs_no_handler(string packet)
    {
        using var scope = _root.CreateScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();

        await Assert.ThrowsAsync<WeChatPayloadException>(async () =>
            await dispatcher.DispatchAsync(SeedPackets.Utf8(packet), scope.ServiceProvider, CancellationToken.None));

        Assert.Empty(scope.ServiceProvider.GetRequiredService<DispatchLog>().Calls);
    }

    [Fact]
    public async Task Unknown_message_type_is_unhandled_and_runs_no_handler()
    {
        using var scope = _root.CreateScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();
        const string Voice = """{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1,"MsgType":"voice","MsgId":2}""";

        var result = await dispatcher.DispatchAsync(SeedPackets.Utf8(Voice), scope.ServiceProvider, CancellationToken.None);

        Assert.False(result.Handled);
        Assert.Equal(string.Empty, result.HandlerName);
        Assert.Empty(scope.ServiceProvider.GetRequiredService<DispatchLog>().Calls);
    }

    [Fact]
    public void Registrations_keep_earlier_user_registrations()
    {
        var mine = new SeedHandlers(new DispatchLog());
        var services = new ServiceCollection();
        services.AddSingleton(mine);
        services.AddWeChatHandlers();

        using var provider = services.BuildServiceProvider();
        Assert.Same(mine, provider.GetRequiredService<SeedHandlers>());
        Assert.Equal(ServiceLifetime.Singleton, services.Single(d => d.ServiceType == typeof(SeedHandlers)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, services.Single(d => d.ServiceType == typeof(IWeChatDispatcher)).Lifetime);
    }

    [Fact]
    public void Handler_classes_are_scoped()
    {
        var services = new ServiceCollection().AddWeChatHandlers();
        Assert.Equal(ServiceLifetime.Scoped, services.Single(d => d.ServiceType == typeof(SeedHandlers)).Lifetime);
        Assert.NotNull(services.Single(d => d.ServiceType == typeof(SeedHandlers)).ImplementationFactory);
    }

    private async Task<(WeChatDispatchResult Result, (string Handler, object Message, WeChatContext Context) Call, byte[] Bytes)> DispatchOne(string packet)
    {
        using var scope = _root.CreateScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();
        byte[] bytes = SeedPackets.Utf8(packet);

        var result = await dispatcher.DispatchAsync(bytes, scope.ServiceProvider, CancellationToken.None);

        var call = Assert.Single(scope.ServiceProvider.GetRequiredService<DispatchLog>().Calls);
        return (result, call, bytes);
    }

    private static void AssertContext(WeChatContext context, WeChatFormat format, byte[] bytes)
    {
        Assert.Equal(format, context.Format);
        Assert.False(context.IsEncrypted);
        Assert.Null(context.AppId);
        Assert.True(context.Payload.Span.SequenceEqual(bytes));
    }
}
