namespace WeChatHandlers.Tests.Dispatch;

/// <summary>Handlers taking built-in and user payload types, routed by the generated dispatcher of this project.</summary>
public sealed class PayloadHandlers(DispatchLog log)
{
    [OnEvent("subscribe_msg_popup_event")]
    public void Popup(SubscribeMsgPopupEvent e, WeChatContext context) => log.Record(nameof(Popup), e, context);

    [OnEvent("wxa_media_check")]
    public void MediaCheck(WxaMediaCheckEvent e, WeChatContext context) => log.Record(nameof(MediaCheck), e, context);

    [OnMessage("stats")]
    public static void Stats(StatsPush push, WeChatContext context, DispatchLog log) => log.Record(nameof(Stats), push, context);
}

/// <summary>A payload of numbers only: binding it allocates nothing.</summary>
[WeChatPayload]
public partial struct StatsPush
{
    public long CreateTime { get; init; }

    [WeChatField("total_count")]
    public int Total { get; init; }

    [WeChatField("success_count")]
    public int? Succeeded { get; init; }

    public double Ratio { get; init; }

    public decimal Amount { get; init; }

    public bool Final { get; init; }

    public long? Missing { get; init; }
}
