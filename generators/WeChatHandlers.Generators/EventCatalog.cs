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
