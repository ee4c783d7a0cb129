using System.Text;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers;
using WeChatHandlers.Api;
using WeChatHandlers.Testing;

// 1. The dispatcher the packaged generator wrote into this assembly.
var services = new ServiceCollection().AddWeChatHandlers().BuildServiceProvider();
var dispatcher = services.GetRequiredService<IWeChatDispatcher>();
var payload = Encoding.UTF8.GetBytes(
    "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>");
var result = await dispatcher.DispatchAsync(payload, services, CancellationToken.None);
if (!result.Handled || result.HandlerName != "Handlers.Text" || Handlers.Seen != "fromUser: this is a test")
{
    Console.Error.WriteLine($"package check failed: handled={result.Handled} handler={result.HandlerName} seen={Handlers.Seen}");
    return 1;
}

Console.WriteLine($"package check: {result.HandlerName} got '{Handlers.Seen}'");

// 2. The whole stack from the packages: the endpoint over Kestrel, a safe-mode push from the testing kit, and the
//    handler's reply through the API client to the kit's fake WeChat API.
await using var host = await WeChatTestHost.StartAsync(s => s.AddWeChatHandlers());
var response = await host.SendAsync(WeChatPush.UserEnterTempSession("package-check").From("user-1"), new WeChatPushOptions { Format = WeChatFormat.Json, Encrypt = true });
var sent = host.Api.Messages.SingleOrDefault();
if (!response.IsSuccess || response.Handlers is not ["Replies.Welcome"] || sent is not { ToUser: "user-1", Text: "welcome (package-check)" })
{
    Console.Error.WriteLine($"package check failed: {response}, handlers [{string.Join(", ", response.Handlers)}], sent {sent}");
    return 1;
}

Console.WriteLine($"package check: {response.Handlers[0]} answered a safe-mode push and sent '{sent.Text}' through the fake WeChat API");
return 0;

public static class Handlers
{
    public static string? Seen;

    [OnText]
    public static void Text(TextMessage m) => Seen = $"{m.FromUserName}: {m.Content}";
}

public sealed class Replies(ICustomerServiceClient reply)
{
    [OnEvent("user_enter_tempsession")]
    public Task Welcome(UserEnterTempSessionEvent e, CancellationToken ct) => reply.SendTextAsync(e.FromUserName, $"welcome ({e.SessionFrom})", ct);
}
