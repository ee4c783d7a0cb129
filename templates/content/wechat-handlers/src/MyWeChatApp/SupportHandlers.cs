using WeChatHandlers;
using WeChatHandlers.Api;

namespace MyWeChatApp;

/// <summary>The customer-service conversation: one method per message or event, routed by the source generator.</summary>
public sealed class SupportHandlers(ICustomerServiceClient reply, ILogger<SupportHandlers> log)
{
    public const string Menu = "Type 'order <number>' to track an order, or anything else to talk to a person.";

    [OnEvent("user_enter_tempsession")]
    public Task Welcome(UserEnterTempSessionEvent e, CancellationToken ct)
        => reply.SendTextAsync(e.FromUserName, "Hi! " + Menu, ct);

    [OnText("help")]
    [OnText("帮助")]
    public Task Help(TextMessage m, CancellationToken ct) => reply.SendTextAsync(m.FromUserName, Menu, ct);

    [OnText(Prefix = "order ")]
    public async Task Order(TextMessage m, IOrderLookup orders, CancellationToken ct)
    {
        string number = m.Content["order ".Length..].Trim();
        await reply.SendTextAsync(m.FromUserName, await orders.DescribeAsync(number, ct), ct);
    }

    // Any other text goes to a person in the customer-service tool.
    [OnText]
    public WeChatReply Human(TextMessage m) => WeChatReply.TransferToCustomerService();

    // Log what happened, not what was sent: pushes carry users' ids and texts, and anyone can post to the URL in
    // plaintext mode (the signature does not cover the body), so payload values stay out of the logs.
    [OnImage]
    public void Image(ImageMessage m) => log.LogInformation("An image arrived ({Length}-character media id)", m.MediaId.Length);

    [OnUnhandled]
    public void Other(WeChatMessage m, WeChatContext context) => log.LogInformation("An unhandled push ({Format})", context.Format);
}

/// <summary>Where order status comes from; replace it with your own service.</summary>
public interface IOrderLookup
{
    Task<string> DescribeAsync(string orderNumber, CancellationToken cancellationToken);
}

internal sealed class OrderLookup : IOrderLookup
{
    public Task<string> DescribeAsync(string orderNumber, CancellationToken cancellationToken) =>
        Task.FromResult($"Order {orderNumber} has shipped.");
}
