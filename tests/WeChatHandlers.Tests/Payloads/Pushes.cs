namespace WeChatHandlers.Tests.Payloads;

/// <summary>Realistic pushes of the built-in events (protocol.md §6.5–6.9), in both formats.</summary>
public static class Pushes
{
    private const string XmlHead = "<xml><ToUserName><![CDATA[gh_123456789abc]]></ToUserName><FromUserName><![CDATA[o7esq5OI1Buy8NNw2EJ3hbBtgTbw]]></FromUserName><CreateTime>1620963428</CreateTime><MsgType><![CDATA[event]]></MsgType>";

    private const string JsonHead = "\"ToUserName\":\"gh_123456789abc\",\"FromUserName\":\"o7esq5OI1Buy8NNw2EJ3hbBtgTbw\",\"CreateTime\":1620963428,\"MsgType\":\"event\",";

    public static string Xml(string eventName, string body) => $"{XmlHead}<Event><![CDATA[{eventName}]]></Event>{body}</xml>";

    public static string Json(string eventName, string body) => $"{{{JsonHead}\"Event\":\"{eventName}\"{(body.Length == 0 ? "" : "," + body)}}}";

    public static readonly string PopupXmlOne = Xml("subscribe_msg_popup_event",
        "<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>");

    public static readonly string PopupXmlThree = Xml("subscribe_msg_popup_event",
        "<SubscribeMsgPopupEvent>\n  <List><TemplateId><![CDATA[t1]]></TemplateId><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>0</PopupScene></List>\n"
        + "  <List><TemplateId>t2</TemplateId><SubscribeStatusString>reject</SubscribeStatusString><PopupScene>0</PopupScene></List>\n"
        + "  <!-- a comment between items -->\n  <List><TemplateId>t&amp;3</TemplateId><SubscribeStatusString><![CDATA[acceptWithAudio]]></SubscribeStatusString><PopupScene></PopupScene><Extra>x</Extra></List>\n</SubscribeMsgPopupEvent>");

    public static readonly string PopupJsonOne = Json("subscribe_msg_popup_event",
        "\"List\":{\"TemplateId\":\"VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc\",\"SubscribeStatusString\":\"accept\",\"PopupScene\":\"2\"}");

    public static readonly string PopupJsonThree = Json("subscribe_msg_popup_event",
        "\"List\":[{\"TemplateId\":\"t1\",\"SubscribeStatusString\":\"accept\",\"PopupScene\":\"0\"},{\"TemplateId\":\"t2\",\"SubscribeStatusString\":\"reject\",\"PopupScene\":\"0\"},null,{\"TemplateId\":\"t\\u00263\",\"SubscribeStatusString\":\"acceptWithAudio\",\"PopupScene\":\"\",\"Extra\":[1,{\"a\":2}]}]");

    // Some senders wrap the JSON list as XML does; the wrapper binds too.
    public static readonly string PopupJsonWrapped = Json("subscribe_msg_popup_event",
        "\"SubscribeMsgPopupEvent\":{\"List\":[{\"TemplateId\":\"t1\",\"SubscribeStatusString\":\"accept\",\"PopupScene\":\"0\"}]}");

    public static readonly string ChangeXml = Xml("subscribe_msg_change_event",
        "<SubscribeMsgChangeEvent><List><TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List></SubscribeMsgChangeEvent>");

    // One official example wraps the change event's list as a popup event's (protocol notes 6.5, [R49]).
    public static readonly string ChangeXmlInPopupWrapper = Xml("subscribe_msg_change_event",
        "<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List></SubscribeMsgPopupEvent>");

    public static readonly string ChangeJson = Json("subscribe_msg_change_event",
        "\"List\":[{\"TemplateId\":\"VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc\",\"SubscribeStatusString\":\"reject\"}]");

    public static readonly string SentXml = Xml("subscribe_msg_sent_event",
        "<SubscribeMsgSentEvent><List><TemplateId><![CDATA[t1]]></TemplateId><MsgID>1700827132819554304</MsgID><ErrorCode>0</ErrorCode><ErrorStatus><![CDATA[success]]></ErrorStatus></List>"
        + "<List><TemplateId><![CDATA[t2]]></TemplateId><MsgID>1700827132819554305</MsgID><ErrorCode>20001</ErrorCode><ErrorStatus><![CDATA[failed:user refuse to accept the msg]]></ErrorStatus></List></SubscribeMsgSentEvent>");

    public static readonly string SentJson = Json("subscribe_msg_sent_event",
        "\"List\":{\"TemplateId\":\"t1\",\"MsgID\":\"1700827132819554304\",\"ErrorCode\":\"0\",\"ErrorStatus\":\"success\"}");

    public static readonly string MediaCheckXml = Xml("wxa_media_check",
        "<appid><![CDATA[wx8f16a2bde6d5a5f8]]></appid><trace_id><![CDATA[60ae120f-371d5872-7941a05b]]></trace_id><version>2</version>"
        + "<detail><strategy><![CDATA[content_model]]></strategy><errcode>0</errcode><suggest><![CDATA[pass]]></suggest><label>100</label><prob>90</prob></detail>"
        + "<detail><strategy><![CDATA[keyword]]></strategy><errcode>0</errcode><suggest><![CDATA[risky]]></suggest><label>20006</label><prob>95</prob></detail>"
        + "<errcode>0</errcode><errmsg><![CDATA[ok]]></errmsg><result><suggest><![CDATA[risky]]></suggest><label>20006</label></result>");

    public static readonly string MediaCheckJson = Json("wxa_media_check",
        "\"appid\":\"wx8f16a2bde6d5a5f8\",\"trace_id\":\"60ae120f-371d5872-7941a05b\",\"version\":2,"
        + "\"detail\":[{\"strategy\":\"content_model\",\"errcode\":0,\"suggest\":\"pass\",\"label\":100,\"prob\":90},{\"strategy\":\"keyword\",\"errcode\":0,\"suggest\":\"risky\",\"label\":\"20006\",\"prob\":95}],"
        + "\"errcode\":0,\"errmsg\":\"ok\",\"result\":{\"suggest\":\"risky\",\"label\":\"20006\"}");

    public static readonly string MediaCheckV1Json = Json("wxa_media_check",
        "\"isrisky\":0,\"extra_info_json\":\"\",\"appid\":\"wxd8c59133dfcbfc71\",\"trace_id\":\"60ae120f-371d5872-7941a05b\",\"status_code\":4294966288");

    public static readonly string RevokeXml = Xml("user_authorization_revoke",
        "<OpenID><![CDATA[o7esq5OI1Buy8NNw2EJ3hbBtgTbw]]></OpenID><AppID><![CDATA[wx8f16a2bde6d5a5f8]]></AppID><RevokeInfo><![CDATA[1]]></RevokeInfo>");

    public static readonly string RevokeJson = Json("user_authorization_revoke",
        "\"OpenID\":\"o7esq5OI1Buy8NNw2EJ3hbBtgTbw\",\"AppID\":\"wx8f16a2bde6d5a5f8\",\"RevokeInfo\":\"1\",\"PluginID\":\"\",\"OpenPID\":\"\"");

    public static readonly string ExpressXml = Xml("add_express_path",
        "<DeliveryID><![CDATA[SF]]></DeliveryID><WayBillId><![CDATA[123456789]]></WayBillId><OrderId><![CDATA[01234567890123456789]]></OrderId><Version>3</Version><Count>2</Count>"
        + "<Actions><ActionTime>1533052800</ActionTime><ActionType>100001</ActionType><ActionMsg><![CDATA[揽件阶段-揽件成功]]></ActionMsg></Actions>"
        + "<Actions><ActionTime>1533062800</ActionTime><ActionType>200001</ActionType><ActionMsg><![CDATA[运输阶段-运输中 🚚]]></ActionMsg></Actions>");

    public static readonly string ExpressJson = Json("add_express_path",
        "\"DeliveryID\":\"SF\",\"WayBillId\":\"123456789\",\"OrderId\":\"01234567890123456789\",\"Version\":\"3\",\"Count\":2,"
        + "\"Actions\":[{\"ActionTime\":1533052800,\"ActionType\":100001,\"ActionMsg\":\"\\u63fd\\u4ef6\\u9636\\u6bb5-\\u63fd\\u4ef6\\u6210\\u529f\"},{\"ActionTime\":\"1533062800\",\"ActionType\":200001,\"ActionMsg\":\"运输阶段-运输中 🚚\"}]");

    public static readonly string XPayJson = Json("xpay_goods_deliver_notify",
        "\"OpenId\":\"o7esq5OI1Buy8NNw2EJ3hbBtgTbw\",\"OutTradeNo\":\"otn_1\",\"Env\":0,"
        + "\"WeChatPayInfo\":{\"MchOrderNo\":\"mch_1\",\"TransactionId\":\"4200001\",\"PaidTime\":1700000000},"
        + "\"GoodsInfo\":{\"ProductId\":\"p1\",\"Quantity\":2,\"OrigPrice\":1000,\"ActualPrice\":900,\"Attach\":\"a\"}");

    public static readonly string XPayXml = Xml("xpay_goods_deliver_notify",
        "<OpenId><![CDATA[o7esq5OI1Buy8NNw2EJ3hbBtgTbw]]></OpenId><OutTradeNo><![CDATA[otn_1]]></OutTradeNo><Env>0</Env>"
        + "<WeChatPayInfo><MchOrderNo><![CDATA[mch_1]]></MchOrderNo><TransactionId><![CDATA[4200001]]></TransactionId><PaidTime>1700000000</PaidTime></WeChatPayInfo>"
        + "<GoodsInfo><ProductId><![CDATA[p1]]></ProductId><Quantity>2</Quantity><OrigPrice>1000</OrigPrice><ActualPrice>900</ActualPrice><Attach><![CDATA[a]]></Attach></GoodsInfo>");

    public static readonly string ShippingXml = Xml("trade_manage_remind_shipping",
        "<transaction_id><![CDATA[4200001]]></transaction_id><merchant_id><![CDATA[m1]]></merchant_id><sub_merchant_id><![CDATA[]]></sub_merchant_id><merchant_trade_no><![CDATA[no1]]></merchant_trade_no><pay_time>1700000000</pay_time><msg><![CDATA[请尽快发货]]></msg>");

    public static readonly string ShippingJson = Json("trade_manage_remind_shipping",
        "\"transaction_id\":\"4200001\",\"merchant_id\":\"m1\",\"sub_merchant_id\":\"\",\"merchant_trade_no\":\"no1\",\"pay_time\":\"1700000000\",\"msg\":\"\\u8bf7\\u5c3d\\u5feb\\u53d1\\u8d27\"");

    public static readonly string SettlementJson = Json("trade_manage_order_settlement",
        "\"transaction_id\":\"4200001\",\"merchant_id\":\"m1\",\"sub_merchant_id\":\"s1\",\"merchant_trade_no\":\"no1\",\"pay_time\":1700000000,\"shipped_time\":1700000100,\"estimated_settlement_time\":1700600000,\"confirm_receive_method\":1,\"confirm_receive_time\":1700300000,\"settlement_time\":1700600000");

    public static readonly string SettlementXml = Xml("trade_manage_order_settlement",
        "<transaction_id><![CDATA[4200001]]></transaction_id><merchant_id><![CDATA[m1]]></merchant_id><sub_merchant_id><![CDATA[s1]]></sub_merchant_id><merchant_trade_no><![CDATA[no1]]></merchant_trade_no><pay_time>1700000000</pay_time><shipped_time>1700000100</shipped_time><estimated_settlement_time>1700600000</estimated_settlement_time>");

    public static readonly string AccessApiXml = Xml("trade_manage_remind_access_api", "<msg><![CDATA[请尽快完成发货信息管理接入]]></msg>");

    public static readonly string AccessApiJson = Json("trade_manage_remind_access_api", "\"msg\":\"请尽快完成发货信息管理接入\"");

    public static readonly string DebugXml = Xml("debug_demo", "<debug_str>hello &lt;world&gt;</debug_str>");

    public static readonly string DebugJson = Json("debug_demo", "\"debug_str\":\"hello <world>\"");
}
