namespace WeChatHandlers.Tests.Dispatch;

/// <summary>What the handlers of one DI scope received; a scoped service, so each test reads its own.</summary>
public sealed class DispatchLog
{
    public List<(string Handler, object Message, WeChatContext Context)> Calls { get; } = [];

    public void Record(string handler, object message, WeChatContext context) => Calls.Add((handler, message, context));
}

/// <summary>Handlers for the four seed packets, each with a different return type and parameter mix.</summary>
public sealed class SeedHandlers(DispatchLog log)
{
    [OnText("this is a test")]
    public void Text(TextMessage message, WeChatContext context) => log.Record(nameof(Text), message, context);

    [OnImage]
    public Task Image(ImageMessage message, WeChatContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        log.Record(nameof(Image), message, context);
        return Task.CompletedTask;
    }

    [OnMiniProgramPage(Ack = WeChatAckMode.AfterHandler)]
    public ValueTask<WeChatReply> Page(WeChatContext context, MiniProgramPageMessage message)
    {
        log.Record(nameof(Page), message, context);
        return new ValueTask<WeChatReply>(WeChatReply.TransferToCustomerService());
    }

    [OnEvent("user_enter_tempsession", Ack = WeChatAckMode.Immediately)]
    public static async Task<WeChatReply> Enter(UserEnterTempSessionEvent message, WeChatContext context, DispatchLog log, CancellationToken cancellationToken)
    {
        // A real await, so the dispatcher's asynchronous completion path runs.
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        log.Record(nameof(Enter), message, context);
        return WeChatReply.Empty;
    }
}

/// <summary>Static handlers for the allocation tests: they keep what they got in thread-static fields.</summary>
public static class AllocationHandlers
{
    [ThreadStatic]
    private static int t_pings;

    [ThreadStatic]
    private static TextMessage t_lastText;

    public static int Pings => t_pings;

    public static TextMessage LastText => t_lastText;

    [OnText("ping")]
    public static void Ping(WeChatContext context)
    {
        if (context.Payload.Length > 0)
        {
            t_pings++;
        }
    }

    [OnText(Prefix = "alloc ")]
    public static WeChatReply Alloc(TextMessage message)
    {
        t_lastText = message;
        return WeChatReply.Success;
    }
}
