using System.Text;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Tests.Payloads;

public class PayloadReaderTests
{
    // These tests cover the scanner's rules; most packets are fragments without the push headers, so they are
    // scanned as envelopes are (well-formedness only). The header rule has its own tests in StrictInputTests.
    private static WeChatPayload Parse(string s) => WeChatPayload.ParseEnvelope(Encoding.UTF8.GetBytes(s));

    private static WeChatPayloadException Rejects(string s) => Assert.Throws<WeChatPayloadException>(() => Parse(s));

    [Theory]
    [InlineData(SeedPackets.TextXml, WeChatFormat.Xml)]
    [InlineData(SeedPackets.TextJson, WeChatFormat.Json)]
    public void Seed_text_fields_are_exact(string packet, WeChatFormat format)
    {
        var p = Parse(packet);
        Assert.Equal(format, p.Format);
        var m = TextMessage.FromPayload(p);
        Assert.Equal("toUser", m.ToUserName);
        Assert.Equal("fromUser", m.FromUserName);
        Assert.Equal(1482048670, m.CreateTime);
        Assert.Equal("this is a test", m.Content);
        Assert.Equal(1234567890123456, m.MsgId);
        Assert.True(p.ValueEquals(WeChatField.MsgType, "text"u8));
    }

    [Theory]
    [InlineData(SeedPackets.ImageXml)]
    [InlineData(SeedPackets.ImageJson)]
    public void Seed_image_fields_are_exact(string packet)
    {
        var m = ImageMessage.FromPayload(Parse(packet));
        Assert.Equal(("toUser", "fromUser", 1482048670L), (m.ToUserName, m.FromUserName, m.CreateTime));
        Assert.Equal(("this is a url", "media_id", 1234567890123456L), (m.PicUrl, m.MediaId, m.MsgId));
    }

    [Theory]
    [InlineData(SeedPackets.MiniProgramPageXml)]
    [InlineData(SeedPackets.MiniProgramPageJson)]
    public void Seed_mini_program_page_fields_are_exact(string packet)
    {
        var m = MiniProgramPageMessage.FromPayload(Parse(packet));
        Assert.Equal(("toUser", "fromUser", 1482048670L, 1234567890123456L), (m.ToUserName, m.FromUserName, m.CreateTime, m.MsgId));
        Assert.Equal(("title", "appid", "path", "", ""), (m.Title, m.AppId, m.PagePath, m.ThumbUrl, m.ThumbMediaId));
    }

    [Theory]
    [InlineData(SeedPackets.EnterSessionXml)]
    [InlineData(SeedPackets.EnterSessionJson)]
    public void Seed_enter_session_fields_are_exact(string packet)
    {
        var p = Parse(packet);
        var e = UserEnterTempSessionEvent.FromPayload(p);
        Assert.Equal(("toUser", "fromUser", 1482048670L, "sessionFrom"), (e.ToUserName, e.FromUserName, e.CreateTime, e.SessionFrom));
        var generic = WeChatEvent.FromPayload(p);
        Assert.Equal("user_enter_tempsession", generic.Event);
        Assert.Equal("sessionFrom", generic.GetField("SessionFrom"));
        Assert.Null(generic.GetField("Nope"));
    }

    [Theory]
    [InlineData("<xml><Content><![CDATA[你好，世界 😀]]></Content></xml>")]
    [InlineData("<xml><Content>你好，世界 😀</Content></xml>")]
    [InlineData("<xml><Content><![CDATA[你好，]]><![CDATA[世界 😀]]></Content></xml>")]
    [InlineData("<xml><Content>你好&#xFF0C;世界 &#128512;</Content></xml>")]
    [InlineData("{\"Content\":\"你好，世界 😀\"}")]
    [InlineData("{\"Content\":\"\\u4f60\\u597d\\uff0c\\u4e16\\u754c \\ud83d\\ude00\"}")]
    public void Cjk_and_emoji_survive_every_encoding(string packet)
    {
        var p = Parse(packet);
        Assert.Equal("你好，世界 😀", p.GetString(WeChatField.Content));
        Assert.True(p.ValueEquals(WeChatField.Content, Encoding.UTF8.GetBytes("你好，世界 😀")));
        Assert.True(p.ValueStartsWith(WeChatField.Content, Encoding.UTF8.GetBytes("你好")));
        Assert.False(p.ValueEquals(WeChatField.Content, Encoding.UTF8.GetBytes("你好")));
    }

    [Theory]
    [InlineData("<xml><Content>a &lt;b&gt; &amp; &apos;c&apos; &quot;d&quot;</Content></xml>", "a <b> & 'c' \"d\"")]
    [InlineData("<xml><Content>x<![CDATA[<&>]]>y</Content></xml>", "x<&>y")]
    [InlineData("<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>", "a]]>b")]
    [InlineData("<xml><Content>line1\r\nline2\rline3</Content></xml>", "line1\nline2\nline3")]
    [InlineData("<xml><Content>a<!-- note -->b<?pi x?>c</Content></xml>", "abc")]
    [InlineData("<xml><Content/></xml>", "")]
    [InlineData("<xml><Content></Content></xml>", "")]
    [InlineData("<xml><Content attr=\"1 &amp; 2\">v</Content></xml>", "v")]
    [InlineData("{\"Content\":\"a\\\"b\\\\c\\/d\\n\\t\"}", "a\"b\\c/d\n\t")]
    [InlineData("{\"Content\":12.5}", "12.5")]
    [InlineData("{\"Content\":true}", "true")]
    [InlineData("{\"Content\":null}", "")]
    public void Entities_escapes_and_cdata_decode(string packet, string expected) =>
        Assert.Equal(expected, Parse(packet).GetString(WeChatField.Content));

    [Theory]
    [InlineData("\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- c -->\n<xml>\n  <MsgType><![CDATA[text]]></MsgType>\n</xml>\n<!-- trailing -->\n")]
    [InlineData("  \r\n\t<xml><MsgType>text</MsgType></xml>  ")]
    [InlineData("\uFEFF {\"MsgType\":\"text\"} ")]
    [InlineData("{\"\\u004DsgType\":\"text\"}")]
    public void Prolog_bom_and_whitespace_are_accepted(string packet) =>
        Assert.True(Parse(packet).ValueEquals(WeChatField.MsgType, "text"u8));

    [Fact]
    public void Nested_elements_are_not_top_level_fields_and_are_reached_by_path()
    {
        const string xml = "<xml><MsgType>event</MsgType><SubscribeMsgPopupEvent><List><TemplateId>t1</TemplateId><Content>inner</Content></List><List><Sub/></List></SubscribeMsgPopupEvent><Event>subscribe_msg_popup_event</Event></xml>";
        var p = Parse(xml);
        Assert.False(p.Contains(WeChatField.Content));
        Assert.Equal("subscribe_msg_popup_event", p.GetString(WeChatField.Event));
        Assert.Null(p.GetField("SubscribeMsgPopupEvent"));
        Assert.Null(p.GetField("Content"));
        Assert.Equal("inner", p.GetField("SubscribeMsgPopupEvent.List[0].Content"));
        Assert.Equal(string.Empty, p.GetField("SubscribeMsgPopupEvent.List[1].Sub"));
    }

    [Fact]
    public void Nested_json_values_are_not_top_level_fields_and_are_reached_by_path()
    {
        const string json = """{"MsgType":"event","List":[{"Content":"inner"},{"a":{"b":[1,2]}}],"Event":"subscribe_msg_popup_event","version":2}""";
        var p = Parse(json);
        Assert.False(p.Contains(WeChatField.Content));
        Assert.Null(p.GetField("List"));
        Assert.Equal("inner", p.GetField("List[0].Content"));
        Assert.Equal("inner", p.GetField("List.Content"));
        Assert.Equal("1", p.GetField("List[1].a.b"));
        Assert.Equal("2", p.GetField("List[1].a.b[1]"));
        Assert.Equal("2", p.GetField("version"));
    }

    [Theory]
    [InlineData("\uFEFF {\"a\":1,\"tr\\u0061ce_id\":\"x\\/y\",\"z\":null}", "x/y")]
    [InlineData("\uFEFF<?xml version=\"1.0\"?><xml><a>1</a><trace_id><![CDATA[x/y]]></trace_id></xml>", "x/y")]
    public void GetField_finds_escaped_names_after_a_preamble(string packet, string expected)
    {
        var p = Parse(packet);
        Assert.Equal(expected, p.GetField("trace_id"));
        Assert.Null(p.GetField("trace"));
        Assert.Null(p.GetField("z"));
        Assert.Null(p.GetField(new string('q', 300)));
    }

    [Theory]
    [InlineData("""{"CreateTime":"1597893922","MsgId":"22876340532172986"}""")]
    [InlineData("""{"CreateTime":1597893922,"MsgId":22876340532172986}""")]
    [InlineData("<xml><CreateTime> 1597893922 </CreateTime><MsgId><![CDATA[22876340532172986]]></MsgId></xml>")]
    public void Integers_accept_numbers_and_numeric_strings(string packet)
    {
        var p = Parse(packet);
        Assert.Equal(1597893922, p.GetInt64(WeChatField.CreateTime));
        Assert.Equal(22876340532172986, p.GetInt64(WeChatField.MsgId));
    }

    [Fact]
    public void Absent_fields_are_empty_and_zero()
    {
        var p = Parse("<xml><MsgType>text</MsgType></xml>");
        Assert.Equal(string.Empty, p.GetString(WeChatField.Content));
        Assert.Equal(0, p.GetInt64(WeChatField.MsgId));
        Assert.False(p.Contains(WeChatField.Content));
    }

    [Fact]
    public void GetUtf8_decodes_into_scratch_and_reports_truncation()
    {
        var p = Parse("<xml><Content>a&amp;bcdef</Content></xml>");
        Span<byte> small = stackalloc byte[3];
        var prefix = p.GetUtf8(WeChatField.Content, small, out bool complete);
        Assert.False(complete);
        Assert.Equal("a&b", Encoding.UTF8.GetString(prefix));
        Span<byte> big = stackalloc byte[64];
        Assert.Equal("a&bcdef", Encoding.UTF8.GetString(p.GetUtf8(WeChatField.Content, big, out complete)));
        Assert.True(complete);
    }

    [Fact]
    public void ToUserName_string_is_reused_across_messages()
    {
        var a = Parse(SeedPackets.TextXml).GetString(WeChatField.ToUserName);
        var b = Parse(SeedPackets.TextJson).GetString(WeChatField.ToUserName);
        Assert.Same(a, b);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("hello", "neither XML nor a JSON object")]
    [InlineData("[1,2]", "neither XML nor a JSON object")]
    [InlineData("<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><Content>&x;</Content></xml>", "DOCTYPE")]
    [InlineData("<xml><!DOCTYPE x><Content>a</Content></xml>", "DOCTYPE")]
    [InlineData("<xml><Content>&x;</Content></xml>", "Unknown entity '&x;'")]
    [InlineData("<xml><Content>&nbsp;</Content></xml>", "Unknown entity")]
    [InlineData("<xml><Content>&amp</Content></xml>", "Unterminated")]
    [InlineData("<xml><Content>&#0;</Content></xml>", "not an XML character")]
    [InlineData("<xml><Content>&#xD800;</Content></xml>", "not an XML character")]
    [InlineData("<xml><Content>&#x110000;</Content></xml>", "out of range")]
    [InlineData("<xml><Content>&#xZZ;</Content></xml>", "Invalid digit")]
    [InlineData("<xml><Content>a</Contents></xml>", "Mismatched end tag")]
    [InlineData("<xml><Content>a</xml>", "Mismatched end tag")]
    [InlineData("<xml><Content>a", "Unclosed element")]
    [InlineData("<xml><Content>a</Content>", "Unclosed <xml>")]
    [InlineData("<xml><Content><![CDATA[a</Content></xml>", "Unclosed CDATA")]
    [InlineData("<xml><Content>a</Content></xml>junk", "after </xml>")]
    [InlineData("<xml><Content>a</Content></xml><xml></xml>", "after </xml>")]
    [InlineData("<root><Content>a</Content></root>", "root element must be <xml>")]
    [InlineData("<xml>text<Content>a</Content></xml>", "directly inside <xml>")]
    [InlineData("<xml><Content><b>x</b></Content></xml>", "must hold text")]
    [InlineData("<xml><MsgId>1</MsgId><MsgId>2</MsgId></xml>", "appears twice")]
    [InlineData("<xml><CreateTime>soon</CreateTime></xml>", "must be an integer")]
    [InlineData("<xml><CreateTime></CreateTime></xml>", "must be an integer")]
    [InlineData("<xml><Content a=1>x</Content></xml>", "quoted attribute")]
    [InlineData("<xml><Content a=\"<\">x</Content></xml>", "'<' is not allowed")]
    [InlineData("<xml><Content>x</Content><!-- open", "Unclosed comment")]
    [InlineData("<xml", "Unterminated start tag")]
    [InlineData("< xml></xml>", "Expected a name")]
    [InlineData("{\"MsgType\":\"text\"", "Malformed JSON")]
    [InlineData("{\"MsgType\":\"text\"}}", "Malformed JSON")]
    [InlineData("{\"MsgType\":\"text\",}", "Malformed JSON")]
    [InlineData("{\"MsgType\":'text'}", "Malformed JSON")]
    [InlineData("{\"MsgType\":\"te\\xt\"}", "Malformed JSON")]
    [InlineData("{\"MsgType\":\"text\"} {}", "Malformed JSON")]
    [InlineData("{/*c*/\"MsgType\":\"text\"}", "Malformed JSON")]
    [InlineData("{\"Content\":{\"a\":1}}", "must be a string or a number")]
    [InlineData("{\"Content\":[1]}", "must be a string or a number")]
    [InlineData("{\"MsgId\":1,\"MsgId\":2}", "appears twice")]
    [InlineData("{\"CreateTime\":1.5}", "must be an integer")]
    [InlineData("{\"MsgId\":\"abc\"}", "must be an integer")]
    [InlineData("{\"MsgId\":99999999999999999999}", "must be an integer")]
    public void Malformed_input_is_rejected_with_reason_and_offset(string packet, string reason)
    {
        var ex = Rejects(packet);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("byte offset", ex.Message, StringComparison.Ordinal);
        Assert.InRange(ex.ByteOffset, 0, Math.Max(0, Encoding.UTF8.GetByteCount(packet)));
    }

    [Theory]
    [InlineData("{\"MsgId\":\"abc\"}", "MsgId")]
    [InlineData("<xml><CreateTime>soon</CreateTime></xml>", "CreateTime")]
    public void An_indexed_integer_that_does_not_convert_names_its_field(string packet, string field)
    {
        var ex = Rejects(packet);
        Assert.Equal(field, ex.FieldPath);
        Assert.Equal("must be an integer", ex.Reason);
        Assert.StartsWith($"Field '{field}' must be an integer (at byte offset ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_point_at_the_problem()
    {
        const string xml = "<xml><Content>&x;</Content></xml>";
        Assert.Equal(xml.IndexOf('&', StringComparison.Ordinal), Rejects(xml).ByteOffset);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        byte[] bytes = [.. "<xml><Content>"u8, 0xC3, 0x28, .. "</Content></xml>"u8];
        var ex = Assert.Throws<WeChatPayloadException>(() => WeChatPayload.Parse(bytes));
        Assert.Equal(14, ex.ByteOffset);
    }

    [Fact]
    public void Deep_nesting_is_rejected_without_stack_overflow()
    {
        string deep = "<xml><a>" + string.Concat(Enumerable.Repeat("<b>", 10_000)) + string.Concat(Enumerable.Repeat("</b>", 10_000)) + "</a></xml>";
        Assert.Contains("nested too deeply", Rejects(deep).Message, StringComparison.Ordinal);
        string deepJson = "{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Contains("Malformed JSON", Rejects(deepJson).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_valid_packet_is_rejected_or_parsed_never_crashes()
    {
        foreach (var packet in new[] { SeedPackets.TextXml, SeedPackets.TextJson, SeedPackets.MiniProgramPageXml, SeedPackets.EnterSessionJson })
        {
            var bytes = Encoding.UTF8.GetBytes(packet);
            for (int n = 0; n < bytes.Length; n++)
            {
                Assert.Throws<WeChatPayloadException>(() => WeChatPayload.Parse(bytes.AsMemory(0, n)));
            }
        }
    }

    [Fact]
    public void Random_bytes_only_raise_the_documented_exception()
    {
        var random = new Random(42);
        var seed = Encoding.UTF8.GetBytes(SeedPackets.TextXml + SeedPackets.TextJson);
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])seed.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var slice = bytes.AsMemory(0, random.Next(bytes.Length + 1));
            try
            {
                var p = WeChatPayload.Parse(slice);
                _ = p.GetString(WeChatField.Content);
                _ = p.GetField("Whatever");
            }
            catch (WeChatPayloadException)
            {
                // The documented outcome for malformed input.
            }
        }
    }

    [Theory]
    [InlineData(SeedPackets.TextXml)]
    [InlineData(SeedPackets.TextJson)]
    [InlineData("<xml><MsgType>te&#x78;t</MsgType><Content><![CDATA[a]]><![CDATA[b]]></Content></xml>")]
    [InlineData("{\"MsgType\":\"te\\u0078t\",\"Content\":\"a\\/b\"}")]
    public void Scanning_and_matching_allocate_nothing(string packet)
    {
        var bytes = Encoding.UTF8.GetBytes(packet);
        Assert.True(Scan(bytes));
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool all = true;
        for (int i = 0; i < 100; i++)
        {
            all &= Scan(bytes);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(all);
        Assert.Equal(0, allocated);

        static bool Scan(byte[] bytes)
        {
            var p = WeChatPayload.ParseEnvelope(bytes);
            Span<byte> scratch = stackalloc byte[16];
            return p.GetUtf8(WeChatField.MsgType, scratch, out bool complete).SequenceEqual("text"u8) && complete
                && p.ValueEquals(WeChatField.MsgType, "text"u8)
                && !p.ValueStartsWith(WeChatField.Content, "zzz"u8)
                && p.GetInt64(WeChatField.CreateTime) != -1;
        }
    }
}
