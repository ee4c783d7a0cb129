using System.Text;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers;

// Dispatches the seed's text message through the dispatcher the packaged generator wrote into this assembly.
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
return 0;

public static class Handlers
{
    public static string? Seen;

    [OnText]
    public static void Text(TextMessage m) => Seen = $"{m.FromUserName}: {m.Content}";
}
