using System;
using System.Collections.Generic;

namespace WeChatHandlers.Generators;

/// <summary>The event names documented for Mini Program message push (protocol notes, message and event catalogue).</summary>
internal static class EventCatalog
{
    public static readonly string[] Names =
    {
        "user_enter_tempsession",
        "subscribe_msg_popup_event",
        "subscribe_msg_change_event",
        "subscribe_msg_sent_event",
        "wxa_media_check",
        "user_info_modified",
        "user_authorization_revoke",
        "user_authorization_cancellation",
        "trade_manage_remind_access_api",
        "trade_manage_remind_shipping",
        "trade_manage_order_settlement",
        "debug_demo",
        "add_express_path",
        "xpay_goods_deliver_notify",
        "wxalive_push_message_notify",
        "kf_create_session",
        "kf_close_session",
        "kf_switch_session",
    };

    /// <summary>Every push's header fields, plus BusinessId that sub-merchant sessions add.</summary>
    private static readonly string[] s_header = { "ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "BusinessId" };

    private static readonly string[] s_authorization = { "OpenID", "AppID", "RevokeInfo", "PluginID", "OpenPID" };

    private static readonly string[] s_trade = { "transaction_id", "merchant_id", "sub_merchant_id", "merchant_trade_no", "pay_time" };

    /// <summary>
    /// The documented fields of the events whose payloads the catalogue describes: the top level, and inside each
    /// container (items of a list, or a nested object) by the container's wire name.
    /// </summary>
    private static readonly Dictionary<string, EventFields> s_fields = new(StringComparer.Ordinal)
    {
        ["user_enter_tempsession"] = new(new[] { "SessionFrom" }),
        ["subscribe_msg_popup_event"] = new(new[] { "SubscribeMsgPopupEvent", "List" }, ("List", new[] { "TemplateId", "SubscribeStatusString", "PopupScene" })),
        // One official example wraps a change event's list as a popup event's: read tolerantly (protocol notes 6.5).
        ["subscribe_msg_change_event"] = new(new[] { "SubscribeMsgChangeEvent", "SubscribeMsgPopupEvent", "List" }, ("List", new[] { "TemplateId", "SubscribeStatusString" })),
        ["subscribe_msg_sent_event"] = new(new[] { "SubscribeMsgSentEvent", "List" }, ("List", new[] { "TemplateId", "MsgID", "ErrorCode", "ErrorStatus" })),
        ["wxa_media_check"] = new(
            new[] { "appid", "trace_id", "version", "result", "detail", "errcode", "errmsg", "isrisky", "extra_info_json", "status_code" },
            ("result", new[] { "suggest", "label" }),
            ("detail", new[] { "strategy", "errcode", "suggest", "label", "prob" })),
        ["user_info_modified"] = new(s_authorization),
        ["user_authorization_revoke"] = new(s_authorization),
        ["user_authorization_cancellation"] = new(s_authorization),
        ["trade_manage_remind_access_api"] = new(new[] { "msg" }),
        ["trade_manage_remind_shipping"] = new(Concat(s_trade, "msg")),
        ["trade_manage_order_settlement"] = new(Concat(s_trade, "shipped_time", "estimated_settlement_time", "confirm_receive_method", "confirm_receive_time", "settlement_time")),
        ["debug_demo"] = new(new[] { "debug_str" }),
        ["add_express_path"] = new(
            new[] { "DeliveryID", "WayBillId", "OrderId", "Version", "Count", "Actions" },
            ("Actions", new[] { "ActionTime", "ActionType", "ActionMsg" })),
        ["xpay_goods_deliver_notify"] = new(
            new[] { "OpenId", "OutTradeNo", "Env", "WeChatPayInfo", "GoodsInfo" },
            ("WeChatPayInfo", new[] { "MchOrderNo", "TransactionId", "PaidTime" }),
            ("GoodsInfo", new[] { "ProductId", "Quantity", "OrigPrice", "ActualPrice", "Attach" })),
    };

    /// <summary>The documented fields of <paramref name="eventName"/>, when the catalogue has them.</summary>
    public static EventFields? FieldsOf(string eventName) => s_fields.TryGetValue(eventName, out var fields) ? fields : null;

    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="name"/> within a small edit distance.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        int limit = Math.Max(1, Math.Min(3, name.Length / 4));
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            // A difference of case only (MsgId for MsgID) is the commonest slip: it always qualifies.
            int distance = string.Equals(name, candidate, StringComparison.OrdinalIgnoreCase) ? 0 : EditDistance(name, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static string[] Concat(string[] first, params string[] rest)
    {
        var all = new string[first.Length + rest.Length];
        first.CopyTo(all, 0);
        rest.CopyTo(all, first.Length);
        return all;
    }

    /// <summary>An event's documented fields.</summary>
    internal sealed class EventFields
    {
        public EventFields(string[] top, params (string Container, string[] Fields)[] containers)
        {
            Top = new HashSet<string>(s_header, StringComparer.Ordinal);
            Top.UnionWith(top);
            foreach (var (container, fields) in containers)
            {
                Containers.Add(container, new HashSet<string>(fields, StringComparer.Ordinal));
            }
        }

        public HashSet<string> Top { get; }

        public Dictionary<string, HashSet<string>> Containers { get; } = new(StringComparer.Ordinal);
    }

    // Virtual payment has a family of xpay_* events (coin pay, refunds) beyond the one the catalogue lists.
    private const string VirtualPaymentPrefix = "xpay_";

    private static readonly HashSet<string> s_known = new(Names, StringComparer.Ordinal);

    public static bool IsKnown(string name) =>
        s_known.Contains(name) || (name.StartsWith(VirtualPaymentPrefix, StringComparison.Ordinal) && name.Length > VirtualPaymentPrefix.Length);

    /// <summary>The closest documented name within a small edit distance, for a did-you-mean hint.</summary>
    public static string? Suggest(string name)
    {
        // Two edits catch a doubled, dropped or swapped letter; more than that suggests unrelated names.
        int limit = Math.Min(3, Math.Max(1, name.Length / 5));
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in Names)
        {
            int distance = EditDistance(name, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Optimal string alignment distance: Levenshtein plus transposition of adjacent characters.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int best = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, d[i - 2, j - 2] + 1);
                }

                d[i, j] = best;
            }
        }

        return d[a.Length, b.Length];
    }
}
