// The built-in payload types: the events of protocol notes §6.5–6.9, as DESIGN.md "Typed payloads" lists them.
// Their binders are generated (this project runs the generator for them), like every user payload type.

using System.ComponentModel;

namespace WeChatHandlers;

/// <summary>One template the user acted on in the subscribe-message popup.</summary>
[WeChatPayload]
public sealed partial class SubscribeMsgPopupItem
{
    /// <summary>The template id.</summary>
    public string TemplateId { get; init; } = string.Empty;

    /// <summary><c>accept</c> or <c>reject</c> (<c>acceptWithAudio</c> for voice-reminder templates).</summary>
    public string SubscribeStatusString { get; init; } = string.Empty;

    /// <summary>Where the popup was shown (<c>0</c> observed for mini programs).</summary>
    public string PopupScene { get; init; } = string.Empty;
}

/// <summary><c>subscribe_msg_popup_event</c>: the user accepted or rejected subscribe-message templates in the popup.</summary>
[WeChatPayload]
public sealed partial class SubscribeMsgPopupEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>One item per template. XML wraps the repeated <c>&lt;List&gt;</c> elements in <c>&lt;SubscribeMsgPopupEvent&gt;</c>; JSON sends <c>List</c> as an object for one item and an array for several.</summary>
    [WeChatField("List", Wrapper = "SubscribeMsgPopupEvent")]
    public IReadOnlyList<SubscribeMsgPopupItem> List { get; init; } = [];
}

/// <summary>One template whose subscription the user changed in settings.</summary>
[WeChatPayload]
public sealed partial class SubscribeMsgChangeItem
{
    /// <summary>The template id.</summary>
    public string TemplateId { get; init; } = string.Empty;

    /// <summary>The new status (only <c>reject</c> is pushed).</summary>
    public string SubscribeStatusString { get; init; } = string.Empty;
}

/// <summary><c>subscribe_msg_change_event</c>: the user changed subscribe-message settings (only rejections are pushed).</summary>
[WeChatPayload]
public sealed partial class SubscribeMsgChangeEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    private readonly IReadOnlyList<SubscribeMsgChangeItem> _list = [];

    /// <summary>
    /// One item per template (XML wrapper <c>&lt;SubscribeMsgChangeEvent&gt;</c>, or <c>&lt;SubscribeMsgPopupEvent&gt;</c>
    /// as one official example has it; JSON object or array).
    /// </summary>
    [WeChatField("List", Wrapper = "SubscribeMsgChangeEvent")]
    public IReadOnlyList<SubscribeMsgChangeItem> List
    {
        get => _list.Count > 0 ? _list : ListInPopupWrapper;
        init => _list = value;
    }

    /// <summary>
    /// The items of a change event sent inside the popup event's XML wrapper (a documented example does; protocol
    /// notes say to read it tolerantly). <see cref="List"/> includes them: read that.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [WeChatField("List", Wrapper = "SubscribeMsgPopupEvent")]
    public IReadOnlyList<SubscribeMsgChangeItem> ListInPopupWrapper { get; init; } = [];
}

/// <summary>The delivery result of one subscribe message.</summary>
[WeChatPayload]
public sealed partial class SubscribeMsgSentItem
{
    /// <summary>The template id.</summary>
    public string TemplateId { get; init; } = string.Empty;

    /// <summary>The message id (wire name <c>MsgID</c>, capital D).</summary>
    [WeChatField("MsgID")]
    public long MsgId { get; init; }

    /// <summary>0 on success.</summary>
    public int ErrorCode { get; init; }

    /// <summary><c>success</c>, or why the delivery failed.</summary>
    public string ErrorStatus { get; init; } = string.Empty;
}

/// <summary><c>subscribe_msg_sent_event</c>: the result of an asynchronous subscribe-message send (failures only from asynchronous delivery).</summary>
[WeChatPayload]
public sealed partial class SubscribeMsgSentEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>One item per message (XML wrapper <c>&lt;SubscribeMsgSentEvent&gt;</c>; JSON object or array).</summary>
    [WeChatField("List", Wrapper = "SubscribeMsgSentEvent")]
    public IReadOnlyList<SubscribeMsgSentItem> List { get; init; } = [];
}

/// <summary>The overall verdict of an asynchronous media check.</summary>
[WeChatPayload]
public sealed partial class WxaMediaCheckResult
{
    /// <summary><c>pass</c>, <c>review</c> or <c>risky</c>.</summary>
    [WeChatField("suggest")]
    public string Suggest { get; init; } = string.Empty;

    /// <summary>The label of the verdict (100 is normal; seen as a string in JSON).</summary>
    [WeChatField("label")]
    public int Label { get; init; }
}

/// <summary>One strategy's finding in an asynchronous media check.</summary>
[WeChatPayload]
public sealed partial class WxaMediaCheckDetail
{
    /// <summary>The strategy (<c>content_model</c>, <c>keyword</c>, …).</summary>
    [WeChatField("strategy")]
    public string Strategy { get; init; } = string.Empty;

    /// <summary>0 when the strategy ran.</summary>
    [WeChatField("errcode")]
    public int ErrCode { get; init; }

    /// <summary><c>pass</c>, <c>review</c> or <c>risky</c>.</summary>
    [WeChatField("suggest")]
    public string Suggest { get; init; } = string.Empty;

    /// <summary>The label this strategy found.</summary>
    [WeChatField("label")]
    public int Label { get; init; }

    /// <summary>Confidence, 0 to 100.</summary>
    [WeChatField("prob")]
    public int Prob { get; init; }
}

/// <summary><c>wxa_media_check</c>: the result of <c>media_check_async</c>, pushed within 30 minutes. Version 2 carries <see cref="Result"/> and <see cref="Detail"/>; version 1 (still sent to some apps) <see cref="IsRisky"/>, <see cref="ExtraInfoJson"/> and <see cref="StatusCode"/>.</summary>
[WeChatPayload]
public sealed partial class WxaMediaCheckEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The mini program's AppID.</summary>
    [WeChatField("appid")]
    public string AppId { get; init; } = string.Empty;

    /// <summary>The trace id <c>media_check_async</c> returned.</summary>
    [WeChatField("trace_id")]
    public string TraceId { get; init; } = string.Empty;

    /// <summary>The payload version (2); absent in version 1.</summary>
    [WeChatField("version")]
    public int? Version { get; init; }

    /// <summary>The overall verdict (version 2); null when absent.</summary>
    [WeChatField("result")]
    public WxaMediaCheckResult? Result { get; init; }

    /// <summary>Each strategy's finding (version 2): repeated <c>&lt;detail&gt;</c> in XML, an array in JSON.</summary>
    [WeChatField("detail")]
    public IReadOnlyList<WxaMediaCheckDetail> Detail { get; init; } = [];

    /// <summary>0 when the check ran.</summary>
    [WeChatField("errcode")]
    public int? ErrCode { get; init; }

    /// <summary>The error message (<c>ok</c>).</summary>
    [WeChatField("errmsg")]
    public string ErrMsg { get; init; } = string.Empty;

    /// <summary>Version 1: 1 when the media is risky, else 0.</summary>
    [WeChatField("isrisky")]
    public int? IsRisky { get; init; }

    /// <summary>Version 1: extra information as JSON text.</summary>
    [WeChatField("extra_info_json")]
    public string ExtraInfoJson { get; init; } = string.Empty;

    /// <summary>Version 1: 0, or 4294966288 (-1008) when the URL could not be downloaded.</summary>
    [WeChatField("status_code")]
    public long? StatusCode { get; init; }
}

/// <summary><c>user_authorization_revoke</c>: the user revoked an authorization.</summary>
[WeChatPayload]
public sealed partial class UserAuthorizationRevokeEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The affected user's OpenID (here <see cref="FromUserName"/> is the platform account, not the user).</summary>
    [WeChatField("OpenID")]
    public string OpenId { get; init; } = string.Empty;

    /// <summary>The mini program's AppID.</summary>
    [WeChatField("AppID")]
    public string AppId { get; init; } = string.Empty;

    /// <summary>What changed: 1 licence plate, 2 address, 3 invoice, 4 Bluetooth, 5 microphone, 6 nickname and avatar, 7 camera, 8 phone, 12 WeRun, 13 location, 14 chosen media, 15 chosen file, 16 email, 18 chosen location, 19 nickname from keyboard, 20 avatar component.</summary>
    public string RevokeInfo { get; init; } = string.Empty;

    /// <summary>The plugin's id (plugin scenario).</summary>
    [WeChatField("PluginID")]
    public string PluginId { get; init; } = string.Empty;

    /// <summary>The user's id for the plugin (plugin scenario).</summary>
    [WeChatField("OpenPID")]
    public string OpenPid { get; init; } = string.Empty;
}

/// <summary><c>user_info_modified</c>: the user changed authorized information (one report says OpenID may be missing).</summary>
[WeChatPayload]
public sealed partial class UserInfoModifiedEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The affected user's OpenID (here <see cref="FromUserName"/> is the platform account, not the user).</summary>
    [WeChatField("OpenID")]
    public string OpenId { get; init; } = string.Empty;

    /// <summary>The mini program's AppID.</summary>
    [WeChatField("AppID")]
    public string AppId { get; init; } = string.Empty;

    /// <summary>What changed: 1 licence plate, 2 address, 3 invoice, 4 Bluetooth, 5 microphone, 6 nickname and avatar, 7 camera, 8 phone, 12 WeRun, 13 location, 14 chosen media, 15 chosen file, 16 email, 18 chosen location, 19 nickname from keyboard, 20 avatar component.</summary>
    public string RevokeInfo { get; init; } = string.Empty;

    /// <summary>The plugin's id (plugin scenario).</summary>
    [WeChatField("PluginID")]
    public string PluginId { get; init; } = string.Empty;

    /// <summary>The user's id for the plugin (plugin scenario).</summary>
    [WeChatField("OpenPID")]
    public string OpenPid { get; init; } = string.Empty;
}

/// <summary><c>user_authorization_cancellation</c>: the user cancelled all authorizations.</summary>
[WeChatPayload]
public sealed partial class UserAuthorizationCancellationEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The affected user's OpenID (here <see cref="FromUserName"/> is the platform account, not the user).</summary>
    [WeChatField("OpenID")]
    public string OpenId { get; init; } = string.Empty;

    /// <summary>The mini program's AppID.</summary>
    [WeChatField("AppID")]
    public string AppId { get; init; } = string.Empty;

    /// <summary>What changed: 1 licence plate, 2 address, 3 invoice, 4 Bluetooth, 5 microphone, 6 nickname and avatar, 7 camera, 8 phone, 12 WeRun, 13 location, 14 chosen media, 15 chosen file, 16 email, 18 chosen location, 19 nickname from keyboard, 20 avatar component.</summary>
    public string RevokeInfo { get; init; } = string.Empty;

    /// <summary>The plugin's id (plugin scenario).</summary>
    [WeChatField("PluginID")]
    public string PluginId { get; init; } = string.Empty;

    /// <summary>The user's id for the plugin (plugin scenario).</summary>
    [WeChatField("OpenPID")]
    public string OpenPid { get; init; } = string.Empty;
}

/// <summary><c>trade_manage_remind_access_api</c>: a reminder to integrate the shipping-management API.</summary>
[WeChatPayload]
public sealed partial class TradeManageRemindAccessApiEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The reminder text.</summary>
    [WeChatField("msg")]
    public string Msg { get; init; } = string.Empty;
}

/// <summary><c>trade_manage_remind_shipping</c>: a reminder to upload shipping information for a paid order.</summary>
[WeChatPayload]
public sealed partial class TradeManageRemindShippingEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The WeChat Pay transaction id.</summary>
    [WeChatField("transaction_id")]
    public string TransactionId { get; init; } = string.Empty;

    /// <summary>The merchant id.</summary>
    [WeChatField("merchant_id")]
    public string MerchantId { get; init; } = string.Empty;

    /// <summary>The sub-merchant id.</summary>
    [WeChatField("sub_merchant_id")]
    public string SubMerchantId { get; init; } = string.Empty;

    /// <summary>The merchant's order number.</summary>
    [WeChatField("merchant_trade_no")]
    public string MerchantTradeNo { get; init; } = string.Empty;

    /// <summary>When the order was paid (Unix seconds).</summary>
    [WeChatField("pay_time")]
    public long PayTime { get; init; }

    /// <summary>The reminder text.</summary>
    [WeChatField("msg")]
    public string Msg { get; init; } = string.Empty;
}

/// <summary><c>trade_manage_order_settlement</c>: an order was shipped (estimated settlement) or settled.</summary>
[WeChatPayload]
public sealed partial class TradeManageOrderSettlementEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The WeChat Pay transaction id.</summary>
    [WeChatField("transaction_id")]
    public string TransactionId { get; init; } = string.Empty;

    /// <summary>The merchant id.</summary>
    [WeChatField("merchant_id")]
    public string MerchantId { get; init; } = string.Empty;

    /// <summary>The sub-merchant id.</summary>
    [WeChatField("sub_merchant_id")]
    public string SubMerchantId { get; init; } = string.Empty;

    /// <summary>The merchant's order number.</summary>
    [WeChatField("merchant_trade_no")]
    public string MerchantTradeNo { get; init; } = string.Empty;

    /// <summary>When the order was paid (Unix seconds).</summary>
    [WeChatField("pay_time")]
    public long PayTime { get; init; }

    /// <summary>When it was shipped (on shipping).</summary>
    [WeChatField("shipped_time")]
    public long? ShippedTime { get; init; }

    /// <summary>When settlement is expected (on shipping).</summary>
    [WeChatField("estimated_settlement_time")]
    public long? EstimatedSettlementTime { get; init; }

    /// <summary>When receipt was confirmed (on settlement).</summary>
    [WeChatField("confirm_receive_time")]
    public long? ConfirmReceiveTime { get; init; }

    /// <summary>When it was settled (on settlement).</summary>
    [WeChatField("settlement_time")]
    public long? SettlementTime { get; init; }

    /// <summary>1 automatic, 2 by the user.</summary>
    [WeChatField("confirm_receive_method")]
    public int? ConfirmReceiveMethod { get; init; }
}

/// <summary>One step of a parcel's route.</summary>
[WeChatPayload]
public sealed partial class ExpressPathAction
{
    /// <summary>When it happened (Unix seconds).</summary>
    public long ActionTime { get; init; }

    /// <summary>
    /// The step's type, as WeChat's logistics documentation lists them: 100001 picked up, 100002 pick-up failed, 100003
    /// courier assigned, 200001 in transit, 300002 out for delivery, 300003 signed for, 300004 signing failed, 400001
    /// order cancelled, 400002 held.
    /// </summary>
    public int ActionType { get; init; }

    /// <summary>The carrier's description.</summary>
    public string ActionMsg { get; init; } = string.Empty;
}

/// <summary><c>add_express_path</c>: the logistics helper reports new steps of a waybill's route.</summary>
[WeChatPayload]
public sealed partial class AddExpressPathEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The carrier's id.</summary>
    [WeChatField("DeliveryID")]
    public string DeliveryId { get; init; } = string.Empty;

    /// <summary>The waybill number.</summary>
    public string WayBillId { get; init; } = string.Empty;

    /// <summary>The order id.</summary>
    public string OrderId { get; init; } = string.Empty;

    /// <summary>The route's version.</summary>
    public int Version { get; init; }

    /// <summary>How many steps follow.</summary>
    public int Count { get; init; }

    /// <summary>The steps: repeated <c>&lt;Actions&gt;</c> in XML, an array in JSON.</summary>
    public IReadOnlyList<ExpressPathAction> Actions { get; init; } = [];
}

/// <summary>The WeChat Pay side of a virtual-payment order.</summary>
[WeChatPayload]
public sealed partial class XPayWeChatPayInfo
{
    /// <summary>The merchant order number.</summary>
    public string MchOrderNo { get; init; } = string.Empty;

    /// <summary>The WeChat Pay transaction id.</summary>
    public string TransactionId { get; init; } = string.Empty;

    /// <summary>When it was paid (Unix seconds).</summary>
    public long PaidTime { get; init; }
}

/// <summary>The goods of a virtual-payment order.</summary>
[WeChatPayload]
public sealed partial class XPayGoodsInfo
{
    /// <summary>The product id.</summary>
    public string ProductId { get; init; } = string.Empty;

    /// <summary>How many.</summary>
    public int Quantity { get; init; }

    /// <summary>The original price (in fen).</summary>
    public long OrigPrice { get; init; }

    /// <summary>The price paid (in fen).</summary>
    public long ActualPrice { get; init; }

    /// <summary>The attach data of the order.</summary>
    public string Attach { get; init; } = string.Empty;
}

/// <summary><c>xpay_goods_deliver_notify</c>: virtual payment asks the mini program to deliver goods.</summary>
[WeChatPayload]
public sealed partial class XPayGoodsDeliverNotifyEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The buyer's OpenID.</summary>
    public string OpenId { get; init; } = string.Empty;

    /// <summary>The mini program's order number.</summary>
    public string OutTradeNo { get; init; } = string.Empty;

    /// <summary>0 production, 1 sandbox.</summary>
    public int Env { get; init; }

    /// <summary>The WeChat Pay side; null when absent.</summary>
    public XPayWeChatPayInfo? WeChatPayInfo { get; init; }

    /// <summary>The goods; null when absent.</summary>
    public XPayGoodsInfo? GoodsInfo { get; init; }
}

/// <summary><c>debug_demo</c>: a push from the console's debugging tool.</summary>
[WeChatPayload]
public sealed partial class DebugDemoEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The sender's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; } = string.Empty;

    /// <summary>The text entered in the tool.</summary>
    [WeChatField("debug_str")]
    public string DebugStr { get; init; } = string.Empty;
}
