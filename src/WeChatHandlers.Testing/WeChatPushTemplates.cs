using System.Diagnostics.CodeAnalysis;

namespace WeChatHandlers.Testing;

/// <summary>
/// The catalogue of built-in pushes: every message and event of protocol.md §6 with the example values of its
/// documentation (ids made unique per push). Each is a starting point; override any field with <c>With</c>.
/// </summary>
internal static class WeChatPushTemplates
{
    // MsgIds must differ between pushes, also between processes (two wechat-push runs in one second), or the
    // endpoint's dedupe acknowledges the second without running it: a random start per process, then a counter.
    private static long s_msgId = 7_000_000_000_000_000_000 + Random.Shared.NextInt64(1_000_000_000_000) * 1_000_000;

    private static readonly Dictionary<string, Action<PushObject>> s_templates = new(StringComparer.Ordinal)
    {
        ["text"] = p => p.Text("MsgType", "text").Text("Content", "this is a test").Number("MsgId", NextMsgId()),
        ["image"] = p => p.Text("MsgType", "image").Text("PicUrl", "https://mmbiz.qpic.cn/example.jpg").Text("MediaId", "media-id-1").Number("MsgId", NextMsgId()),
        ["miniprogrampage"] = p => p.Text("MsgType", "miniprogrampage").Number("MsgId", NextMsgId()).Text("Title", "A card")
            .Text("AppId", "wx49f0ab532d5d035a").Text("PagePath", "pages/index/index").Text("ThumbUrl", "https://mmbiz.qpic.cn/example-thumb.jpg").Text("ThumbMediaId", "thumb-media-id-1"),
        ["user_enter_tempsession"] = p => Event(p, "user_enter_tempsession").Text("SessionFrom", "order-page"),
        ["subscribe_msg_popup_event"] = p => Event(p, "subscribe_msg_popup_event").List("List", "SubscribeMsgPopupEvent",
            i => i.Text("TemplateId", "hD-ixGOhYmUfjOnI8MCzQMPshzGVeux_2vzyvQu7O68").Text("SubscribeStatusString", "accept").Text("PopupScene", "0"),
            i => i.Text("TemplateId", "bKJ6bcZTtBSKN7J7wfwIy8o6Nz1IuBGkqYr_8_d3AAo").Text("SubscribeStatusString", "reject").Text("PopupScene", "0")),
        ["subscribe_msg_change_event"] = p => Event(p, "subscribe_msg_change_event").List("List", "SubscribeMsgChangeEvent",
            i => i.Text("TemplateId", "hD-ixGOhYmUfjOnI8MCzQMPshzGVeux_2vzyvQu7O68").Text("SubscribeStatusString", "reject")),
        ["subscribe_msg_sent_event"] = p => Event(p, "subscribe_msg_sent_event").List("List", "SubscribeMsgSentEvent",
            i => i.Text("TemplateId", "hD-ixGOhYmUfjOnI8MCzQMPshzGVeux_2vzyvQu7O68").Number("MsgID", 1700827132819554304).Number("ErrorCode", 0).Text("ErrorStatus", "success")),
        ["wxa_media_check"] = p => Event(p, "wxa_media_check").Text("appid", "wx49f0ab532d5d035a").Text("trace_id", "60ae120f-371d5872-7941a05b")
            .Number("version", 2)
            .Child("result", r => r.Text("suggest", "pass").Number("label", 100))
            .List("detail", null, d => d.Text("strategy", "content_model").Number("errcode", 0).Text("suggest", "pass").Number("label", 100).Number("prob", 90))
            .Number("errcode", 0).Text("errmsg", "ok"),
        ["user_authorization_revoke"] = p => Authorization(p, "user_authorization_revoke"),
        ["user_info_modified"] = p => Authorization(p, "user_info_modified"),
        ["user_authorization_cancellation"] = p => Authorization(p, "user_authorization_cancellation"),
        ["trade_manage_remind_access_api"] = p => Event(p, "trade_manage_remind_access_api").Text("msg", "please connect the shipping API"),
        ["trade_manage_remind_shipping"] = p => Trade(Event(p, "trade_manage_remind_shipping")).Number("pay_time", 1700000000).Text("msg", "please ship the order"),
        ["trade_manage_order_settlement"] = p => Trade(Event(p, "trade_manage_order_settlement")).Number("pay_time", 1700000000)
            .Number("shipped_time", 1700003600).Number("estimated_settlement_time", 1700864000).Number("confirm_receive_method", 1)
            .Number("confirm_receive_time", 1700600000).Number("settlement_time", 1700864000),
        ["add_express_path"] = p => Event(p, "add_express_path").Text("DeliveryID", "SF").Text("WayBillId", "SF1234567890").Text("OrderId", "order-1")
            .Number("Version", 3).Number("Count", 2)
            .List("Actions", null,
                a => a.Number("ActionTime", 1700000000).Number("ActionType", 100001).Text("ActionMsg", "picked up"),
                a => a.Number("ActionTime", 1700003600).Number("ActionType", 200001).Text("ActionMsg", "in transit")),
        ["xpay_goods_deliver_notify"] = p => Event(p, "xpay_goods_deliver_notify").Text("OpenId", WeChatPush.DefaultUser).Text("OutTradeNo", "trade-1").Number("Env", 0)
            .Child("WeChatPayInfo", w => w.Text("MchOrderNo", "mch-1").Text("TransactionId", "4200001234202311011234567890").Number("PaidTime", 1700000000))
            .Child("GoodsInfo", g => g.Text("ProductId", "coins-100").Number("Quantity", 1).Number("OrigPrice", 100).Number("ActualPrice", 100).Text("Attach", "attach-1")),
        ["debug_demo"] = p => Event(p, "debug_demo").Text("debug_str", "hello world"),
    };

    public static IReadOnlyList<string> Names { get; } = [.. s_templates.Keys];

    public static long NextMsgId() => Interlocked.Increment(ref s_msgId);

    public static WeChatPush Create(string name) =>
        TryCreate(name, out var push) ? push : throw new ArgumentException($"No push template '{name}'.", nameof(name));

    public static bool TryCreate(string name, [NotNullWhen(true)] out WeChatPush? push)
    {
        if (s_templates.TryGetValue(name, out var fill))
        {
            push = WeChatPush.Build(fill);
            return true;
        }

        push = null;
        return false;
    }

    private static PushObject Event(PushObject p, string name) => p.Text("MsgType", "event").Text("Event", name);

    // protocol.md §6.7: here FromUserName is the platform's push-service account, and OpenID the user it is about.
    private static void Authorization(PushObject p, string name) =>
        Event(p, name).Text("FromUserName", PlatformAccount).Text("OpenID", WeChatPush.DefaultUser).Text("AppID", "wx49f0ab532d5d035a")
            .Text("RevokeInfo", "1").Text("PluginID", "wx-plugin-1").Text("OpenPID", "openpid-1");

    /// <summary>The sender of platform events (authorization changes): not a user.</summary>
    internal const string PlatformAccount = "weixin-push-service";

    private static PushObject Trade(PushObject p) => p.Text("transaction_id", "4200001234202311011234567890").Text("merchant_id", "1230000109")
        .Text("sub_merchant_id", "1900000109").Text("merchant_trade_no", "order-1");
}
