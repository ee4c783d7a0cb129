using System.Text.Json;
using System.Xml.Linq;
using WeChatHandlers.Security;

namespace WeChatHandlers.Testing.Tests;

public sealed class PushBuilderTests
{
    [Fact]
    public void Text_renders_as_WeChat_xml_and_json()
    {
        var push = WeChatPush.Text("你好 ]]> there").From("user-1").To("gh_1").At(DateTimeOffset.FromUnixTimeSeconds(1482048670)).With("MsgId", 1234567890123456);

        Assert.Equal(
            "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[user-1]]></FromUserName><CreateTime>1482048670</CreateTime>" +
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 ]]]]><![CDATA[> there]]></Content><MsgId>1234567890123456</MsgId></xml>",
            push.ToXml());
        Assert.Equal(
            """{"ToUserName":"gh_1","FromUserName":"user-1","CreateTime":1482048670,"MsgType":"text","Content":"你好 ]]> there","MsgId":1234567890123456}""",
            push.ToJson());
        Assert.Equal("你好 ]]> there", XDocument.Parse(push.ToXml()).Root!.Element("Content")!.Value);
    }

    [Fact]
    public void Subscribe_list_has_its_xml_wrapper_and_is_a_json_array()
    {
        var push = WeChatPush.Event("subscribe_msg_popup_event").With("List[1].SubscribeStatusString", "accept").With("List[2].TemplateId", "third");

        var wrapper = XDocument.Parse(push.ToXml()).Root!.Element("SubscribeMsgPopupEvent")!;
        Assert.Equal(["accept", "accept", ""], wrapper.Elements("List").Select(l => l.Element("SubscribeStatusString")?.Value ?? ""));
        Assert.Equal("third", wrapper.Elements("List").Last().Element("TemplateId")!.Value);

        using var json = JsonDocument.Parse(push.ToJson());
        Assert.False(json.RootElement.TryGetProperty("SubscribeMsgPopupEvent", out _));
        Assert.Equal(3, json.RootElement.GetProperty("List").GetArrayLength());
        Assert.Equal("event", push.Get("MsgType"));
        Assert.Equal("third", push.Get("List[2].TemplateId"));
    }

    [Fact]
    public void Media_check_nests_result_and_repeats_detail()
    {
        var push = WeChatPush.Event("wxa_media_check").With("result.suggest", "risky").With("result.label", "20001").With("detail[1].strategy", "keyword");

        var xml = XDocument.Parse(push.ToXml()).Root!;
        Assert.Equal("risky", xml.Element("result")!.Element("suggest")!.Value);
        Assert.Equal(["content_model", "keyword"], xml.Elements("detail").Select(d => d.Element("strategy")!.Value));

        using var json = JsonDocument.Parse(push.ToJson());
        Assert.Equal(20001, json.RootElement.GetProperty("result").GetProperty("label").GetInt32());
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("detail").ValueKind);
        Assert.Equal(2, json.RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public void Every_template_renders_in_both_formats_with_the_common_header()
    {
        Assert.Contains("user_enter_tempsession", WeChatPush.TemplateNames);
        foreach (var name in WeChatPush.TemplateNames)
        {
            var push = WeChatPush.FromTemplate(name);
            var xml = XDocument.Parse(push.ToXml()).Root!;
            using var json = JsonDocument.Parse(push.ToJson());
            foreach (var field in new[] { "ToUserName", "FromUserName", "CreateTime", "MsgType" })
            {
                Assert.NotNull(xml.Element(field));
                Assert.True(json.RootElement.TryGetProperty(field, out _), $"{name} has no {field}");
            }

            Assert.True(push.Get("MsgType") == name || push.Get("Event") == name, name);
        }
    }

    [Fact]
    public void Unknown_templates_are_named_and_bare_events_still_build()
    {
        var e = Assert.Throws<ArgumentException>(() => WeChatPush.FromTemplate("no_such_event"));
        Assert.Contains("wxa_media_check", e.Message);
        Assert.Equal("kf_close_session", WeChatPush.Event("kf_close_session").Get("Event"));
        Assert.Equal("voice", WeChatPush.Message("voice").Get("MsgType"));
        Assert.NotEqual(WeChatPush.Text("a").Get("MsgId"), WeChatPush.Text("a").Get("MsgId"));
    }

    [Fact]
    public void Raw_fields_keep_their_order_and_integers_become_numbers()
    {
        var push = WeChatPush.FromFields([new("ToUserName", "gh_1"), new("CreateTime", "1714037059"), new("MsgType", "event"), new("Event", "debug_demo"), new("debug_str", "007")]);
        Assert.Equal("""{"ToUserName":"gh_1","CreateTime":1714037059,"MsgType":"event","Event":"debug_demo","debug_str":"007"}""", push.ToJson());
        Assert.Throws<InvalidOperationException>(() => WeChatPush.FromDocument("{\"a\":1}").With("a", "2"));
        Assert.Equal(WeChatFormat.Xml, WeChatPush.FromDocument("  <xml></xml>").DocumentFormat);
    }

    [Fact]
    public void Plaintext_signature_matches_the_official_vector()
    {
        // protocol.md TV2: token AAAAA, timestamp 1714037059, nonce 486452656.
        var account = WeChatTestAccount.Default with { Token = "AAAAA" };
        var signed = WeChatPush.Event("debug_demo").Sign(account, new WeChatPushOptions { Format = WeChatFormat.Json, Timestamp = "1714037059", Nonce = "486452656", IncludeOpenId = false });
        Assert.Equal("899cf89e464efb63f54ddac96b0a0a235f53aa78", signed.Signature);
        Assert.Equal("?signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059&nonce=486452656", signed.Query);
        Assert.Equal(signed.Plaintext, signed.Body);
    }

    [Theory]
    [InlineData(WeChatFormat.Xml)]
    [InlineData(WeChatFormat.Json)]
    public void Safe_mode_envelope_decrypts_to_the_push_and_its_msg_signature_verifies(WeChatFormat format)
    {
        var account = WeChatTestAccount.Default;
        var push = WeChatPush.Text("order 1024");
        var signed = push.Sign(account, new WeChatPushOptions { Format = format, Encrypt = true });

        Assert.Contains("&encrypt_type=aes&msg_signature=" + signed.MsgSignature, signed.Query);
        Assert.Contains("&openid=" + WeChatPush.DefaultUser, signed.Query);
        string encrypt = format == WeChatFormat.Xml
            ? XDocument.Parse(signed.Body).Root!.Element("Encrypt")!.Value
            : JsonDocument.Parse(signed.Body).RootElement.GetProperty("Encrypt").GetString()!;
        Assert.Equal(WeChatSignature.ComputeMsgSignature(account.Token, signed.Timestamp, signed.Nonce, encrypt), signed.MsgSignature);
        using var crypto = new WeChatCrypto(account.Token, account.EncodingAESKey!, account.AppId);
        using var plain = crypto.Decrypt(System.Text.Encoding.ASCII.GetBytes(encrypt));
        Assert.Equal(push.Render(format), System.Text.Encoding.UTF8.GetString(plain.Message.Span));
    }
}
