using System.Text;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Tests.Payloads;

/// <summary>Every built-in event type, bound from realistic pushes in both formats by its generated binder.</summary>
public class BuiltInEventTests
{
    private static T Bind<T>(string push)
        where T : IWeChatPayload<T> => WeChatBinding.Bind<T>(WeChatPayload.Parse(Encoding.UTF8.GetBytes(push)));

    private static void AssertHead(string toUser, string fromUser, long createTime, string eventName, string expectedEvent)
    {
        Assert.Equal("gh_123456789abc", toUser);
        Assert.Equal("o7esq5OI1Buy8NNw2EJ3hbBtgTbw", fromUser);
        Assert.Equal(1620963428, createTime);
        Assert.Equal(expectedEvent, eventName);
    }

    [Theory]
    [InlineData(nameof(Pushes.PopupXmlOne))]
    [InlineData(nameof(Pushes.PopupJsonOne))]
    public void Popup_with_one_item(string name)
    {
        var e = Bind<SubscribeMsgPopupEvent>(Push(name));
        AssertHead(e.ToUserName, e.FromUserName, e.CreateTime, e.Event, "subscribe_msg_popup_event");
        var item = Assert.Single(e.List);
        Assert.Equal(("VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc", "accept", "2"), (item.TemplateId, item.SubscribeStatusString, item.PopupScene));
    }

    [Theory]
    [InlineData(nameof(Pushes.PopupXmlThree))]
    [InlineData(nameof(Pushes.PopupJsonThree))]
    public void Popup_with_three_items_null_skipped_extra_fields_ignored(string name)
    {
        var e = Bind<SubscribeMsgPopupEvent>(Push(name));
        Assert.Equal(["t1", "t2", "t&3"], e.List.Select(i => i.TemplateId));
        Assert.Equal(["accept", "reject", "acceptWithAudio"], e.List.Select(i => i.SubscribeStatusString));
        Assert.Equal(["0", "0", ""], e.List.Select(i => i.PopupScene));
    }

    [Fact]
    public void Popup_json_wrapper_is_accepted_too()
    {
        var e = Bind<SubscribeMsgPopupEvent>(Pushes.PopupJsonWrapped);
        Assert.Equal("t1", Assert.Single(e.List).TemplateId);
    }

    [Fact]
    public void Popup_without_a_list_binds_an_empty_list()
    {
        var e = Bind<SubscribeMsgPopupEvent>(Pushes.Json("subscribe_msg_popup_event", ""));
        Assert.Empty(e.List);
        var x = Bind<SubscribeMsgPopupEvent>(Pushes.Xml("subscribe_msg_popup_event", "<SubscribeMsgPopupEvent></SubscribeMsgPopupEvent>"));
        Assert.Empty(x.List);
    }

    [Theory]
    [InlineData(nameof(Pushes.ChangeXml))]
    [InlineData(nameof(Pushes.ChangeXmlInPopupWrapper))]
    [InlineData(nameof(Pushes.ChangeJson))]
    public void Change(string name)
    {
        var e = Bind<SubscribeMsgChangeEvent>(Push(name));
        AssertHead(e.ToUserName, e.FromUserName, e.CreateTime, e.Event, "subscribe_msg_change_event");
        var item = Assert.Single(e.List);
        Assert.Equal(("VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc", "reject"), (item.TemplateId, item.SubscribeStatusString));
    }

    [Fact]
    public void Sent_xml_with_two_items()
    {
        var e = Bind<SubscribeMsgSentEvent>(Pushes.SentXml);
        Assert.Equal(2, e.List.Count);
        Assert.Equal((1700827132819554304L, 0, "success"), (e.List[0].MsgId, e.List[0].ErrorCode, e.List[0].ErrorStatus));
        Assert.Equal((1700827132819554305L, 20001, "failed:user refuse to accept the msg"), (e.List[1].MsgId, e.List[1].ErrorCode, e.List[1].ErrorStatus));
    }

    [Fact]
    public void Sent_json_one_object_with_numbers_as_strings()
    {
        var e = Bind<SubscribeMsgSentEvent>(Pushes.SentJson);
        var item = Assert.Single(e.List);
        Assert.Equal(("t1", 1700827132819554304L, 0, "success"), (item.TemplateId, item.MsgId, item.ErrorCode, item.ErrorStatus));
    }

    [Theory]
    [InlineData(nameof(Pushes.MediaCheckXml))]
    [InlineData(nameof(Pushes.MediaCheckJson))]
    public void Media_check_v2(string name)
    {
        var e = Bind<WxaMediaCheckEvent>(Push(name));
        AssertHead(e.ToUserName, e.FromUserName, e.CreateTime, e.Event, "wxa_media_check");
        Assert.Equal(("wx8f16a2bde6d5a5f8", "60ae120f-371d5872-7941a05b", 2), (e.AppId, e.TraceId, e.Version));
        Assert.NotNull(e.Result);
        Assert.Equal(("risky", 20006), (e.Result.Suggest, e.Result.Label));
        Assert.Equal(2, e.Detail.Count);
        Assert.Equal(("content_model", 0, "pass", 100, 90), (e.Detail[0].Strategy, e.Detail[0].ErrCode, e.Detail[0].Suggest, e.Detail[0].Label, e.Detail[0].Prob));
        Assert.Equal(("keyword", 0, "risky", 20006, 95), (e.Detail[1].Strategy, e.Detail[1].ErrCode, e.Detail[1].Suggest, e.Detail[1].Label, e.Detail[1].Prob));
        Assert.Equal((0, "ok"), (e.ErrCode, e.ErrMsg));
        Assert.Null(e.IsRisky);
        Assert.Null(e.StatusCode);
        Assert.Equal(string.Empty, e.ExtraInfoJson);
    }

    [Fact]
    public void Media_check_v1()
    {
        var e = Bind<WxaMediaCheckEvent>(Pushes.MediaCheckV1Json);
        Assert.Null(e.Version);
        Assert.Null(e.Result);
        Assert.Empty(e.Detail);
        Assert.Equal((0, "", 4294966288L), (e.IsRisky, e.ExtraInfoJson, e.StatusCode));
    }

    [Theory]
    [InlineData(nameof(Pushes.RevokeXml))]
    [InlineData(nameof(Pushes.RevokeJson))]
    public void Authorization_events(string name)
    {
        string push = Push(name);
        var revoke = Bind<UserAuthorizationRevokeEvent>(push);
        Assert.Equal(("o7esq5OI1Buy8NNw2EJ3hbBtgTbw", "wx8f16a2bde6d5a5f8", "1", "", ""), (revoke.OpenId, revoke.AppId, revoke.RevokeInfo, revoke.PluginId, revoke.OpenPid));
        var modified = Bind<UserInfoModifiedEvent>(push.Replace("user_authorization_revoke", "user_info_modified", StringComparison.Ordinal));
        Assert.Equal(("user_info_modified", "o7esq5OI1Buy8NNw2EJ3hbBtgTbw"), (modified.Event, modified.OpenId));
        var cancelled = Bind<UserAuthorizationCancellationEvent>(push.Replace("user_authorization_revoke", "user_authorization_cancellation", StringComparison.Ordinal));
        Assert.Equal("wx8f16a2bde6d5a5f8", cancelled.AppId);
    }

    [Theory]
    [InlineData(nameof(Pushes.AccessApiXml))]
    [InlineData(nameof(Pushes.AccessApiJson))]
    public void Remind_access_api(string name) =>
        Assert.Equal("请尽快完成发货信息管理接入", Bind<TradeManageRemindAccessApiEvent>(Push(name)).Msg);

    [Theory]
    [InlineData(nameof(Pushes.ShippingXml))]
    [InlineData(nameof(Pushes.ShippingJson))]
    public void Remind_shipping(string name)
    {
        var e = Bind<TradeManageRemindShippingEvent>(Push(name));
        Assert.Equal(("4200001", "m1", "", "no1", 1700000000L, "请尽快发货"), (e.TransactionId, e.MerchantId, e.SubMerchantId, e.MerchantTradeNo, e.PayTime, e.Msg));
    }

    [Theory]
    [InlineData(nameof(Pushes.SettlementXml), false)]
    [InlineData(nameof(Pushes.SettlementJson), true)]
    public void Order_settlement(string name, bool settled)
    {
        var e = Bind<TradeManageOrderSettlementEvent>(Push(name));
        Assert.Equal(("4200001", "s1", 1700000000L, 1700000100L, 1700600000L), (e.TransactionId, e.SubMerchantId, e.PayTime, e.ShippedTime, e.EstimatedSettlementTime));
        Assert.Equal(settled ? 1 : null, e.ConfirmReceiveMethod);
        Assert.Equal(settled ? 1700300000L : null, e.ConfirmReceiveTime);
        Assert.Equal(settled ? 1700600000L : null, e.SettlementTime);
    }

    [Theory]
    [InlineData(nameof(Pushes.ExpressXml))]
    [InlineData(nameof(Pushes.ExpressJson))]
    public void Express_path(string name)
    {
        var e = Bind<AddExpressPathEvent>(Push(name));
        Assert.Equal(("SF", "123456789", "01234567890123456789", 3, 2), (e.DeliveryId, e.WayBillId, e.OrderId, e.Version, e.Count));
        Assert.Equal(2, e.Actions.Count);
        Assert.Equal((1533052800L, 100001, "揽件阶段-揽件成功"), (e.Actions[0].ActionTime, e.Actions[0].ActionType, e.Actions[0].ActionMsg));
        Assert.Equal((1533062800L, 200001, "运输阶段-运输中 🚚"), (e.Actions[1].ActionTime, e.Actions[1].ActionType, e.Actions[1].ActionMsg));
    }

    [Fact]
    public void Pretty_printed_json_binds_like_compact_json()
    {
        // Whitespace around every token, and nested objects and arrays that the binder walks or skips: each walk must
        // go on exactly after the container it walked.
        var popup = Bind<SubscribeMsgPopupEvent>(Indented(Pushes.PopupJsonThree));
        Assert.Equal(["t1", "t2", "t&3"], popup.List.Select(i => i.TemplateId));
        Assert.Equal(["accept", "reject", "acceptWithAudio"], popup.List.Select(i => i.SubscribeStatusString));

        var check = Bind<WxaMediaCheckEvent>(Indented(Pushes.MediaCheckJson));
        Assert.Equal(["content_model", "keyword"], check.Detail.Select(d => d.Strategy));
        Assert.Equal(("risky", 20006), (check.Result!.Suggest, check.Result.Label));
        Assert.Equal(("ok", "60ae120f-371d5872-7941a05b"), (check.ErrMsg, check.TraceId));

        var express = Bind<AddExpressPathEvent>(Indented(Pushes.ExpressJson));
        Assert.Equal(("揽件阶段-揽件成功", "运输阶段-运输中 🚚"), (express.Actions[0].ActionMsg, express.Actions[1].ActionMsg));
        Assert.Equal((3, 2), (express.Version, express.Count));

        // Fields after a container the binder does not know, and after one it walked to its end.
        var tail = Bind<AddExpressPathEvent>(Pushes.Json("add_express_path",
            "\"Unknown\" : { \"a\" : [ { } , [ ] ] } , \"Actions\" : [ { \"ActionType\" : 7 , \"Deep\" : { \"x\" : [ 1 ] } } , { } ] , \"Count\" : 9 , \"OrderId\" : \"o\" "));
        Assert.Equal((9, "o", 2, 7), (tail.Count, tail.OrderId, tail.Actions.Count, tail.Actions[0].ActionType));
    }

    private static string Indented(string json) =>
        System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(json).RootElement, s_indented);

    private static readonly System.Text.Json.JsonSerializerOptions s_indented = new() { WriteIndented = true };

    [Theory]
    [InlineData(nameof(Pushes.XPayXml))]
    [InlineData(nameof(Pushes.XPayJson))]
    public void Virtual_payment_deliver(string name)
    {
        var e = Bind<XPayGoodsDeliverNotifyEvent>(Push(name));
        Assert.Equal(("o7esq5OI1Buy8NNw2EJ3hbBtgTbw", "otn_1", 0), (e.OpenId, e.OutTradeNo, e.Env));
        Assert.NotNull(e.WeChatPayInfo);
        Assert.Equal(("mch_1", "4200001", 1700000000L), (e.WeChatPayInfo.MchOrderNo, e.WeChatPayInfo.TransactionId, e.WeChatPayInfo.PaidTime));
        Assert.NotNull(e.GoodsInfo);
        Assert.Equal(("p1", 2, 1000L, 900L, "a"), (e.GoodsInfo.ProductId, e.GoodsInfo.Quantity, e.GoodsInfo.OrigPrice, e.GoodsInfo.ActualPrice, e.GoodsInfo.Attach));
    }

    [Fact]
    public void Virtual_payment_without_nested_objects_binds_nulls()
    {
        var e = Bind<XPayGoodsDeliverNotifyEvent>(Pushes.Json("xpay_goods_deliver_notify", "\"OpenId\":\"o\",\"GoodsInfo\":null"));
        Assert.Null(e.WeChatPayInfo);
        Assert.Null(e.GoodsInfo);
    }

    [Theory]
    [InlineData(nameof(Pushes.DebugXml))]
    [InlineData(nameof(Pushes.DebugJson))]
    public void Debug_demo(string name) => Assert.Equal("hello <world>", Bind<DebugDemoEvent>(Push(name)).DebugStr);

    [Theory]
    [InlineData("\"version\":\"two\"", "version", "must be a 32-bit integer, not 'two'")]
    [InlineData("\"detail\":[{\"prob\":1},{\"prob\":\"x\"}]", "detail[1].prob", "must be a 32-bit integer")]
    [InlineData("\"result\":{\"label\":1.5}", "result.label", "must be a 32-bit integer")]
    [InlineData("\"result\":\"pass\"", "result", "must be an object")]
    [InlineData("\"appid\":{\"a\":1}", "appid", "must be text, not an object")]
    [InlineData("\"status_code\":99999999999999999999", "status_code", "must be a 64-bit integer")]
    public void Unconvertible_values_name_the_path(string body, string path, string reason)
    {
        var ex = Assert.Throws<WeChatPayloadException>(() => Bind<WxaMediaCheckEvent>(Pushes.Json("wxa_media_check", body)));
        Assert.Equal(path, ex.FieldPath);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.Contains($"Field '{path}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unconvertible_xml_item_names_the_repeated_element()
    {
        var ex = Assert.Throws<WeChatPayloadException>(() => Bind<WxaMediaCheckEvent>(Pushes.Xml("wxa_media_check", "<detail><prob>1</prob></detail><detail><prob>high</prob></detail>")));
        Assert.Equal("detail[1].prob", ex.FieldPath);
    }

    private static string Push(string name) => (string)typeof(Pushes).GetField(name)!.GetValue(null)!;
}
