using WeChatHandlers;
using WeChatHandlers.Api;

namespace CustomerService;

/// <summary>
/// The support bot: welcomes users who open the chat, answers a keyword menu, looks up orders,
/// acknowledges pictures and hands everything else to a human in the customer-service tool.
/// Replies go out asynchronously through the customer-service API; WeChat itself only gets "success"
/// (or the transfer packet).
/// </summary>
public sealed class SupportBot(ICustomerServiceClient customerService, IOrderDesk orders, ILogger<SupportBot> log)
{
    internal const string Menu = "Menu: 'order <number>' tracks an order, send a picture of a problem, or just type to reach a person.";

    [OnEvent("user_enter_tempsession")]
    public async Task Welcome(UserEnterTempSessionEvent e, CancellationToken ct)
    {
        log.LogInformation("Welcome: {User} opened the chat from '{From}'", e.FromUserName, e.SessionFrom);
        await customerService.SendTextAsync(e.FromUserName, "Hi! Type 'help' for the menu.", ct);
    }

    [OnText("help")]
    [OnText("菜单")]
    public async Task Help(TextMessage m, CancellationToken ct)
    {
        log.LogInformation("Help: menu for {User}", m.FromUserName);
        await customerService.SendTextAsync(m.FromUserName, Menu, ct);
    }

    [OnText(Prefix = "order ")]
    public async Task Order(TextMessage m, CancellationToken ct)
    {
        string number = m.Content["order ".Length..].Trim();
        string status = orders.Status(number);
        log.LogInformation("Order: {User} asked about order {Number}: {Status}", m.FromUserName, number, status);
        await customerService.SetTypingAsync(m.FromUserName, TypingCommand.Typing, ct);
        await customerService.SendTextAsync(m.FromUserName, $"Order {number}: {status}", ct);
    }

    [OnImage]
    public async Task Picture(ImageMessage m, CancellationToken ct)
    {
        log.LogInformation("Picture: {User} sent image {MediaId}", m.FromUserName, m.MediaId);
        await customerService.SendTextAsync(m.FromUserName, "Thanks, we received your picture and will look at it.", ct);
    }

    [OnMiniProgramPage]
    public Task Card(MiniProgramPageMessage m, CancellationToken ct)
    {
        log.LogInformation("Card: {User} shared page '{Title}' ({Path})", m.FromUserName, m.Title, m.PagePath);
        return customerService.SendLinkAsync(m.FromUserName, new LinkCard(
            "Help with " + m.Title,
            "Our guide to this page",
            "https://example.com/help",
            "https://example.com/help.png"), ct);
    }

    [OnText]
    public WeChatReply Human(TextMessage m)
    {
        log.LogInformation("Human: '{Content}' from {User} goes to the customer-service tool", m.Content, m.FromUserName);
        return WeChatReply.TransferToCustomerService();
    }

    [OnUnhandled]
    public void Other(WeChatMessage m, WeChatContext context)
    {
        log.LogInformation("Other: unhandled {MsgType} {Event} ({Format}, encrypted: {Encrypted})", m.MsgType, m.GetField("Event"), context.Format, context.IsEncrypted);
    }
}

/// <summary>Where orders are looked up; a real service would call the shop's backend.</summary>
public interface IOrderDesk
{
    /// <summary>The status of an order.</summary>
    string Status(string number);
}

/// <summary>A stand-in order desk.</summary>
public sealed class OrderDesk : IOrderDesk
{
    /// <inheritdoc />
    public string Status(string number) => number.Length > 0 && char.IsAsciiDigit(number[^1]) && (number[^1] - '0') % 2 == 0
        ? "shipped, arriving tomorrow"
        : "being packed";
}
