using System.Text;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Tests.Payloads;

/// <summary>The header rule and the XML 1.0 refusals: each is malformed input, with a reason and an offset.</summary>
public class StrictInputTests
{
    private const string Headers = "<ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>";

    private static string Text(string inner) => $"<xml>{Headers}<MsgType>text</MsgType>{inner}</xml>";

    private static WeChatPayloadException Rejects(string packet, string reason)
    {
        var ex = Assert.Throws<WeChatPayloadException>(() => WeChatPayload.Parse(Encoding.UTF8.GetBytes(packet)));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.Contains("byte offset", ex.Message, StringComparison.Ordinal);
        Assert.InRange(ex.ByteOffset, 0, Encoding.UTF8.GetByteCount(packet));
        return ex;
    }

    [Theory]
    [InlineData("<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "ToUserName")]
    [InlineData("<xml><ToUserName>g</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "FromUserName")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>", "CreateTime")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><Content>hi</Content></xml>", "MsgType")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>", "Event")]
    [InlineData("""{"FromUserName":"o","CreateTime":1,"MsgType":"text"}""", "ToUserName")]
    [InlineData("""{"ToUserName":"g","CreateTime":1,"MsgType":"text"}""", "FromUserName")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":null,"MsgType":"text"}""", "CreateTime")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":1,"Content":"hi"}""", "MsgType")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":1,"MsgType":"event"}""", "Event")]

    // Present but empty (or only whitespace) names nothing: as missing.
    [InlineData("<xml><ToUserName></ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "ToUserName")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName/><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "FromUserName")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>   </MsgType></xml>", "MsgType")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[]]></MsgType></xml>", "MsgType")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event></Event></xml>", "Event")]
    [InlineData("""{"ToUserName":"g","FromUserName":"","CreateTime":1,"MsgType":"text"}""", "FromUserName")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":1,"MsgType":""}""", "MsgType")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":" "}""", "Event")]

    // Blank once decoded: a reference, an escape, a comment.
    [InlineData("<xml><ToUserName>&#32;</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "ToUserName")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>&#x20;<!-- x --></Event></xml>", "Event")]
    [InlineData("""{"ToUserName":"\u0020","FromUserName":"o","CreateTime":1,"MsgType":"text"}""", "ToUserName")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"\n\t"}""", "Event")]
    public void A_push_missing_a_header_is_malformed(string packet, string field) =>
        Assert.Equal($"The push has no {field}", Rejects(packet, field).Reason);

    [Theory]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>voice</MsgType></xml>")]
    [InlineData("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>x</Event></xml>")]
    [InlineData("""{"ToUserName":"g","FromUserName":"o","CreateTime":"1","MsgType":"event","Event":"x"}""")]
    public void A_push_with_every_header_is_accepted(string packet) =>
        Assert.Equal("g", WeChatPayload.Parse(Encoding.UTF8.GetBytes(packet)).GetString(WeChatField.ToUserName));

    [Theory]
    [InlineData("<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>")]
    [InlineData("""{"ToUserName":"gh_1","Encrypt":"abc="}""")]
    [InlineData("""{"Encrypt":"abc=","MsgSignature":"s","TimeStamp":1,"Nonce":"n"}""")]
    public void Envelopes_need_no_message_headers(string envelope)
    {
        var bytes = Encoding.UTF8.GetBytes(envelope);
        Assert.Equal("abc=", WeChatPayload.ParseEnvelope(bytes).GetString(WeChatField.Encrypt));
        Assert.Throws<WeChatPayloadException>(() => WeChatPayload.Parse(bytes));
    }

    [Fact]
    public void Envelopes_keep_every_well_formedness_rule() =>
        Assert.Throws<WeChatPayloadException>(() => WeChatPayload.ParseEnvelope("<xml><Encrypt>a\u0001</Encrypt></xml>"u8.ToArray()));

    [Theory]
    [InlineData("<Content>a\u0001b</Content>", "Control character U+0001")]
    [InlineData("<Content><![CDATA[a\u0008b]]></Content>", "Control character U+0008")]
    [InlineData("<Content a=\"\u001F\">x</Content>", "Control character U+001F")]
    [InlineData("<Con\u0000tent>x</Con\u0000tent>", "Control character U+0000")]
    [InlineData("<!-- \u000B -->", "Control character U+000B")]
    [InlineData("<Content>a\u000Cb</Content>", "Control character U+000C")]
    public void Control_characters_other_than_tab_cr_lf_are_refused(string inner, string reason)
    {
        string packet = Text(inner);
        var ex = Rejects(packet, reason);
        Assert.Equal(ByteIndexOfControl(packet), ex.ByteOffset);
    }

    [Fact]
    public void Tab_cr_and_lf_are_characters()
    {
        var p = WeChatPayload.Parse(Encoding.UTF8.GetBytes(Text("<Content>a\tb\r\nc\nd</Content>")));
        Assert.Equal("a\tb\nc\nd", p.GetString(WeChatField.Content));
    }

    [Theory]
    [InlineData("<Content>a]]>b</Content>")]
    [InlineData("<Content>]]></Content>")]
    [InlineData("<Content>x &amp; ]]> y</Content>")]
    [InlineData("<Nested><a>t]]>u</a></Nested>")]
    public void Cdata_end_in_character_data_is_refused(string inner)
    {
        string packet = Text(inner);
        var ex = Rejects(packet, "\"]]>\" is not allowed in character data");
        Assert.Equal(Encoding.UTF8.GetBytes(packet).AsSpan().IndexOf("]]>"u8), ex.ByteOffset);
    }

    [Theory]
    [InlineData("<Content>a > b ]> c ]]</Content>", "a > b ]> c ]]")]
    [InlineData("<Content><![CDATA[x]]]]><![CDATA[>y]]></Content>", "x]]>y")]
    [InlineData("<Content><![CDATA[]]>]></Content>", "]>")]
    public void Near_misses_of_cdata_end_are_text(string inner, string expected) =>
        Assert.Equal(expected, WeChatPayload.Parse(Encoding.UTF8.GetBytes(Text(inner))).GetString(WeChatField.Content));

    [Theory]
    [InlineData("<xml><?xml version=\"1.0\"?>" + Headers + "<MsgType>text</MsgType></xml>")]
    [InlineData("<?xml version=\"1.0\"?><?xml version=\"1.0\"?><xml>" + Headers + "<MsgType>text</MsgType></xml>")]
    [InlineData("<!-- c --><?xml version=\"1.0\"?><xml>" + Headers + "<MsgType>text</MsgType></xml>")]
    [InlineData(" <?xml version=\"1.0\"?><xml>" + Headers + "<MsgType>text</MsgType></xml>")]
    [InlineData("<xml>" + Headers + "<MsgType>text</MsgType></xml><?xml version=\"1.0\"?>")]
    [InlineData("<xml>" + Headers + "<MsgType>text<?xml version=\"1.0\"?></MsgType></xml>")]
    public void A_late_xml_declaration_is_refused(string packet)
    {
        var ex = Rejects(packet, "The XML declaration must stand at the very start");
        Assert.Equal(Encoding.UTF8.GetBytes(packet).AsSpan().LastIndexOf("<?xml"u8), ex.ByteOffset);
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?><xml>")]
    [InlineData("\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<xml>")]
    public void A_declaration_at_the_start_is_accepted(string prefix) =>
        Assert.Equal("text", WeChatPayload.Parse(Encoding.UTF8.GetBytes(prefix + Headers + "<MsgType>text</MsgType></xml>")).GetString(WeChatField.MsgType));

    [Theory]
    [InlineData("<?XmL x?>", "may not be named 'xml'")]
    [InlineData("<? x?>", "Expected a name")]
    [InlineData("<?pi/x?>", "Expected whitespace or '?>'")]
    public void Malformed_processing_instructions_are_refused(string pi, string reason) => Rejects(Text(pi), reason);

    [Theory]
    [InlineData("<!-->", "Unclosed comment")]
    [InlineData("<!--->", "Unclosed comment")]
    [InlineData("<!-- a -- b -->", "\"--\" is not allowed inside a comment")]
    [InlineData("<!-- a --->", "\"--\" is not allowed inside a comment")]
    [InlineData("<Content>x<!-- a -- b -->y</Content>", "\"--\" is not allowed inside a comment")]
    public void Malformed_comments_are_refused(string comment, string reason) => Rejects(Text(comment), reason);

    [Theory]
    [InlineData("<!---->")]
    [InlineData("<!-->-->")]
    [InlineData("<!-- a - b -->")]
    [InlineData("<!--a-->")]
    public void Well_formed_comments_are_skipped(string comment) =>
        Assert.Equal("text", WeChatPayload.Parse(Encoding.UTF8.GetBytes(Text(comment))).GetString(WeChatField.MsgType));

    [Theory]
    [InlineData("<Content a=\"1\" a=\"2\">x</Content>")]
    [InlineData("<Content a='1' b=\"2\" a='3'/>")]
    [InlineData("<Nested><i x=\"1\" y=\"2\" x=\"1\"/></Nested>")]
    public void Duplicate_attributes_are_refused(string inner)
    {
        string packet = Text(inner);
        var ex = Rejects(packet, "appears twice in one start tag");
        Assert.Equal(inner.Contains(" x=", StringComparison.Ordinal) ? 'x' : 'a', packet[(int)ex.ByteOffset]);
    }

    [Fact]
    public void Duplicate_attributes_on_the_root_are_refused() =>
        Rejects("<xml a=\"1\" a=\"1\">" + Headers + "<MsgType>text</MsgType></xml>", "appears twice in one start tag");

    [Theory]
    [InlineData("<Content a=\"1\" ab=\"2\" b='3'>x</Content>")]
    [InlineData("<Content a=\"1\"/>")]
    public void Distinct_attributes_are_accepted(string inner) =>
        WeChatPayload.Parse(Encoding.UTF8.GetBytes(Text(inner)));

    private static int ByteIndexOfControl(string packet)
    {
        var bytes = Encoding.UTF8.GetBytes(packet);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] < 0x20 && bytes[i] is not (0x09 or 0x0A or 0x0D))
            {
                return i;
            }
        }

        return -1;
    }

    [Theory]
    [InlineData("<a><b>x]]>y</b></a>", "\"]]>\" is not allowed in character data")]
    [InlineData("<a><b>x</bb></a>", "Mismatched end tag")]
    [InlineData("<a><b>x</c></a>", "Mismatched end tag")]
    [InlineData("<a><b>&bogus;</b></a>", "Unknown entity")]
    [InlineData("<a><b><![CDATA[x]]></b></a", "Expected '>'")]
    [InlineData("<a><b>x</b>", "Mismatched end tag: expected </a>")]
    public void Nested_simple_elements_are_checked_as_strictly_as_top_level_ones(string inner, string reason) =>
        Rejects(Text(inner), reason);

    [Fact]
    public void Nested_simple_elements_accept_what_top_level_ones_do()
    {
        var p = WeChatPayload.Parse(Encoding.UTF8.GetBytes(Text("<a><b>x</b ><c><![CDATA[<y>]]></c><d></d><e>1</e></a>")));
        Assert.Equal("x", p.GetField("a.b"));
        Assert.Equal("<y>", p.GetField("a.c"));
        Assert.Equal(string.Empty, p.GetField("a.d"));
    }

    [Theory]
    [InlineData("<Content>a\uFFFEb</Content>", "U+FFFE is not an XML character")]
    [InlineData("<Content><![CDATA[\uFFFF]]></Content>", "U+FFFF is not an XML character")]
    public void Noncharacters_written_out_are_refused_as_their_references_are(string inner, string reason)
    {
        string packet = Text(inner);
        var ex = Rejects(packet, reason);
        Assert.Equal(Encoding.UTF8.GetByteCount(packet[..packet.IndexOf(reason[2..6] == "FFFE" ? '\uFFFE' : '\uFFFF')]), ex.ByteOffset);
        Rejects(Text(reason[2..6] == "FFFE" ? "<Content>&#xFFFE;</Content>" : "<Content>&#65535;</Content>"), "is not an XML character");
    }

    [Fact]
    public void Character_references_may_have_leading_zeros()
    {
        var p = WeChatPayload.Parse(Encoding.UTF8.GetBytes(Text("<Content>&#x0000000041;&#000066;&#x" + new string('0', 60) + "43;\uFFFD</Content>")));
        Assert.Equal("ABC\uFFFD", p.GetString(WeChatField.Content));
    }

    [Theory]
    [InlineData("a\\ud800b", 1)]
    [InlineData("\\udc00", 0)]
    [InlineData("\\udc00\\ud800", 0)]
    [InlineData("x\\ud800\\u0041", 1)]
    [InlineData("\\ud800", 0)]
    public void Json_escapes_of_lone_surrogates_are_refused(string content, int escapeIndex)
    {
        string packet = "{\"ToUserName\":\"g\",\"FromUserName\":\"o\",\"CreateTime\":1,\"MsgType\":\"text\",\"Content\":\"" + content + "\"}";
        var ex = Rejects(packet, "lone surrogate");
        Assert.Equal(packet.IndexOf("\"Content\":\"", StringComparison.Ordinal) + 11 + escapeIndex, ex.ByteOffset);
    }

    [Fact]
    public void Json_surrogate_pairs_and_nested_escapes_are_accepted()
    {
        var p = WeChatPayload.Parse(Encoding.UTF8.GetBytes("{\"ToUserName\":\"g\",\"FromUserName\":\"o\",\"CreateTime\":1,\"MsgType\":\"text\",\"Content\":\"\\ud83d\\ude00\\u4e2d\",\"a\":{\"b\":\"\\ud83d\\ude00\"}}"));
        Assert.Equal("😀中", p.GetString(WeChatField.Content));
        Assert.Equal("😀", p.GetField("a.b"));
        Rejects("{\"ToUserName\":\"g\",\"FromUserName\":\"o\",\"CreateTime\":1,\"MsgType\":\"text\",\"a\":[{\"b\":\"\\udfff\"}]}", "lone surrogate");
    }
}
