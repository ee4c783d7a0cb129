using System.Text;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Tests.Payloads;

public class GetFieldPathTests
{
    private static WeChatPayload Parse(string s) => WeChatPayload.Parse(Encoding.UTF8.GetBytes(s));

    public static TheoryData<string> MediaChecks => new() { Pushes.MediaCheckXml, Pushes.MediaCheckJson };

    [Theory]
    [MemberData(nameof(MediaChecks))]
    public void Nested_paths_reach_decoded_scalars(string push)
    {
        var p = Parse(push);
        Assert.Equal("95", p.GetField("detail[1].prob"));
        Assert.Equal("content_model", p.GetField("detail[0].strategy"));
        Assert.Equal("content_model", p.GetField("detail.strategy"));
        Assert.Equal("risky", p.GetField("result.suggest"));
        Assert.Equal("20006", p.GetField("result.label"));
        Assert.Equal("2", p.GetField("version"));
        Assert.Null(p.GetField("detail[2].prob"));
        Assert.Null(p.GetField("result"));
        Assert.Null(p.GetField("detail"));
        Assert.Null(p.GetField("result.nope"));
        Assert.Null(p.GetField("version.x"));

        var context = WeChatContext.For(p);
        Assert.Equal("95", context.GetField("detail[1].prob"));
        Assert.Equal("risky", WeChatEvent.FromPayload(p).GetField("result.suggest"));
        Assert.Equal("risky", WeChatMessage.FromPayload(p).GetField("result.suggest"));
    }

    [Theory]
    [InlineData(nameof(Pushes.PopupXmlOne), 1)]
    [InlineData(nameof(Pushes.PopupJsonOne), 1)]
    [InlineData(nameof(Pushes.PopupXmlThree), 3)]
    [InlineData(nameof(Pushes.PopupJsonThree), 3)]
    public void Subscribe_lists_are_indexed_alike_in_both_formats(string name, int count)
    {
        string push = (string)typeof(Pushes).GetField(name)!.GetValue(null)!;
        var p = Parse(push);
        string? first = p.GetField("List[0].TemplateId") ?? p.GetField("SubscribeMsgPopupEvent.List[0].TemplateId");
        Assert.NotNull(first);
        if (count == 3)
        {
            string prefix = push.StartsWith('<') ? "SubscribeMsgPopupEvent." : string.Empty;
            Assert.Equal("t1", p.GetField(prefix + "List[0].TemplateId"));
            Assert.Equal("reject", p.GetField(prefix + "List[1].SubscribeStatusString"));
            Assert.Equal("t&3", p.GetField(prefix + "List[2].TemplateId"));
            Assert.Equal(string.Empty, p.GetField(prefix + "List[2].PopupScene"));
            Assert.Null(p.GetField(prefix + "List[3].TemplateId"));
        }
    }

    [Theory]
    [InlineData("a[")]
    [InlineData("a[x]")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("[1]")]
    public void Bad_paths_are_argument_errors(string path) =>
        Assert.Throws<ArgumentException>(() => Parse(Pushes.MediaCheckJson).GetField(path));

    [Fact]
    public void Escaped_json_names_match()
    {
        var p = Parse(Pushes.Json("x", "\"res\\u0075lt\":{\"s\\u0075ggest\":\"pass\"}"));
        Assert.Equal("pass", p.GetField("result.suggest"));
    }

    [Fact]
    public void Nested_xml_walks_past_attributes_markup_and_deeper_elements()
    {
        // Containers are walked again as slices of the validated document: every shape the scanner accepts must be
        // stepped over where it ends, not where a '>' or '/' happens to stand.
        var p = Parse(Pushes.Xml("x",
            "<a k=\"1>2/\" j='q\"/'><b/><!-- c > d --><?pi x/>?><b x=\"/>\" />"
            + "<c><![CDATA[<not/>]]></c><d>x &amp; y\r\nz</d><e><f><g>deep</g></f><f><g>deeper</g></f></e>"
            + "<h>one<![CDATA[two]]></h><i><![CDATA[only]]></i><j><!-- note -->text</j></a>"
            + "<a><b>second</b></a>"));
        Assert.Equal(string.Empty, p.GetField("a.b"));
        Assert.Equal(string.Empty, p.GetField("a.b[1]"));
        Assert.Equal("<not/>", p.GetField("a.c"));
        Assert.Equal("x & y\nz", p.GetField("a.d"));
        Assert.Equal("deeper", p.GetField("a.e.f[1].g"));
        Assert.Equal("onetwo", p.GetField("a.h"));
        Assert.Equal("only", p.GetField("a.i"));
        Assert.Equal("text", p.GetField("a.j"));
        Assert.Equal("second", p.GetField("a[1].b"));
        Assert.Null(p.GetField("a.e"));
    }

    [Fact]
    public void Nested_json_walks_past_whitespace_escapes_and_brackets_in_strings()
    {
        var p = Parse(Pushes.Json("x",
            " \"a\" : { \"s\" : \"] } [ {\\\" \" , \"n\" : [ ] , \"o\" : { } , \"z\" : null , \"t\" : true ,"
            + " \"l\" : [ null , { \"v\" : -1.5e3 } , [ 1 , \"x\" ] , \"w\" ] , \"after\" : 7 } "));
        Assert.Equal("] } [ {\" ", p.GetField("a.s"));
        Assert.Null(p.GetField("a.n"));
        Assert.Null(p.GetField("a.z"));
        Assert.Equal("true", p.GetField("a.t"));
        Assert.Equal("-1.5e3", p.GetField("a.l[0].v"));
        Assert.Equal("w", p.GetField("a.l[2]"));
        Assert.Equal("7", p.GetField("a.after"));
    }
}
