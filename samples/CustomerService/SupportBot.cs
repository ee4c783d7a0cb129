using WeChatHandlers;
using WeChatHandlers.Api;

namespace CustomerService;

/// <summary>
/// The support bot: welcomes users who open the chat, answers a keyword menu, looks up orders,
/// acknowledges pictures and hands everything else to a human in the customer-service tool.
/// Replies go out asynchronously through the customer-service API; WeChat itself only gets "success"
/// (or the transfer packet).
/// </summary>
/// <remarks>
/// The log lines say what each handler did, never what the user sent or who they are: OpenIDs, texts, page titles and
/// trace ids are personal or untrusted data, which stays out of the logs (as the framework's own lines do).
/// </remarks>
public sealed class SupportBot(ICustomerServiceClient customerService, IOrderDesk orders, ISubscriptionBook subscriptions, IMediaReviews reviews, ILogger<SupportBot> log)
{
    internal const string Menu = "Menu: 'order <number>' tracks an order, send a picture of a problem, or just type to reach a person.";

    [OnEvent("user_enter_tempsession")]
    public async Task Welcome(UserEnterTempSessionEvent e, CancellationToken ct)
    {
        log.LogInformation("Welcome: a user opened the chat; greeting sent");
        await customerService.SendTextAsync(e.FromUserName, "Hi! Type 'help' for the menu.", ct);
    }

    [OnText("help")]
    [OnText("菜单")]
    public async Task Help(TextMessage m, CancellationToken ct)
    {
        log.LogInformation("Help: menu sent");
        await customerService.SendTextAsync(m.FromUserName, Menu, ct);
    }

    [OnText(Prefix = "order ")]
    public async Task Order(TextMessage m, CancellationToken ct)
    {
        string number = m.Content["order ".Length..].Trim();
        string status = orders.Status(number);
        log.LogInformation("Order: status looked up ({Status})", status);
        await customerService.SetTypingAsync(m.FromUserName, TypingCommand.Typing, ct);
        await customerService.SendTextAsync(m.FromUserName, $"Order {number}: {status}", ct);
    }

    [OnImage]
    public async Task Picture(ImageMessage m, CancellationToken ct)
    {
        log.LogInformation("Picture: received, submitted to the content check");

        // A real bot submits the picture to media_check_async here and keeps the trace_id it returns; the verdict
        // arrives later as a wxa_media_check push carrying that trace_id.
        reviews.Submitted(MediaReviews.TraceIdFor(m.MediaId), m.FromUserName);
        await customerService.SendTextAsync(m.FromUserName, "Thanks, we received your picture and will look at it.", ct);
    }

    [OnEvent("subscribe_msg_popup_event")]
    public async Task Subscribed(SubscribeMsgPopupEvent e, CancellationToken ct)
    {
        // One item per template the user decided on: a wrapped, repeated <List> in XML; an object or an array in JSON.
        foreach (var choice in e.List)
        {
            subscriptions.Record(e.FromUserName, choice.TemplateId, choice.SubscribeStatusString == "accept" || choice.SubscribeStatusString == "acceptWithAudio");
        }

        int accepted = subscriptions.AcceptedBy(e.FromUserName);
        log.LogInformation("Subscriptions: {Count} template decision(s); {Accepted} accepted by this user in all", e.List.Count, accepted);
        await customerService.SendTextAsync(e.FromUserName, $"Thanks! You will get {accepted} kind(s) of order notification.", ct);
    }

    [OnEvent("wxa_media_check")]
    public async Task MediaVerdict(WxaMediaCheckEvent e, CancellationToken ct)
    {
        string verdict = (e.Result?.Suggest ?? (e.IsRisky == 1 ? "risky" : "pass")) switch
        {
            "risky" => "risky",
            "review" => "review",
            _ => "pass",
        };
        string? user = reviews.Complete(e.TraceId);
        var strongest = e.Detail.OrderByDescending(d => d.Prob).FirstOrDefault();
        log.LogInformation("Media check: {Verdict} (strongest finding {Prob}%, {Findings} finding(s))", verdict, strongest?.Prob ?? 0, e.Detail.Count);
        if (verdict == "risky" && user is not null)
        {
            await customerService.SendTextAsync(user, "Sorry, we could not accept your picture: it did not pass the content check.", ct);
        }
    }

    [OnMiniProgramPage]
    public Task Card(MiniProgramPageMessage m, CancellationToken ct)
    {
        log.LogInformation("Card: a shared page; help link sent");
        return customerService.SendLinkAsync(m.FromUserName, new LinkCard(
            "Help with " + m.Title,
            "Our guide to this page",
            "https://example.com/help",
            "https://example.com/help.png"), ct);
    }

    [OnText]
    public WeChatReply Human(TextMessage m)
    {
        log.LogInformation("Human: a text of {Length} character(s) goes to the customer-service tool", m.Content.Length);
        return WeChatReply.TransferToCustomerService();
    }

    [OnUnhandled]
    public void Other(WeChatMessage m, WeChatContext context)
    {
        log.LogInformation("Other: an unhandled push ({Format}, encrypted: {Encrypted})", context.Format, context.IsEncrypted);
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

/// <summary>Which subscribe-message templates each user accepted.</summary>
public interface ISubscriptionBook
{
    /// <summary>Records a user's choice for one template.</summary>
    void Record(string openId, string templateId, bool accepted);

    /// <summary>How many templates the user has accepted.</summary>
    int AcceptedBy(string openId);
}

/// <summary>An in-memory subscription book; a real service would store the choices.</summary>
public sealed class SubscriptionBook : ISubscriptionBook
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string OpenId, string TemplateId), bool> _choices = new();

    /// <inheritdoc />
    public void Record(string openId, string templateId, bool accepted) => _choices[(openId, templateId)] = accepted;

    /// <inheritdoc />
    public int AcceptedBy(string openId) => _choices.Count(c => c.Key.OpenId == openId && c.Value);
}

/// <summary>Pictures waiting for an asynchronous media check, by trace id.</summary>
public interface IMediaReviews
{
    /// <summary>Remembers who sent the media a check was started for.</summary>
    void Submitted(string traceId, string openId);

    /// <summary>The sender of the checked media, once; null when the trace id is unknown.</summary>
    string? Complete(string traceId);
}

/// <summary>An in-memory list of pending media checks.</summary>
public sealed class MediaReviews : IMediaReviews
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);

    /// <summary>The demo's stand-in for the trace id media_check_async would return.</summary>
    public static string TraceIdFor(string mediaId) => "trace-" + mediaId;

    /// <inheritdoc />
    public void Submitted(string traceId, string openId) => _pending[traceId] = openId;

    /// <inheritdoc />
    public string? Complete(string traceId) => _pending.TryRemove(traceId, out string? openId) ? openId : null;
}

