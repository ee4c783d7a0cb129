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
}
