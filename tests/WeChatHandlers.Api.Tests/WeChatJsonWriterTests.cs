using System.Text;
using WeChatHandlers.Api.Json;

namespace WeChatHandlers.Api.Tests;

public sealed class WeChatJsonWriterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("中文", "中文")]
    [InlineData("😀", "😀")]
    [InlineData("a😀b🎉c", "a😀b🎉c")]
    [InlineData("tab\tquote\"back\\", "tab\\tquote\\\"back\\\\")]
    [InlineData("\\uD83D\\uDE00 literal text", "\\\\uD83D\\\\uDE00 literal text")]
    [InlineData("\u0001", "\\u0001")]
    public void Text_is_written_raw_except_for_the_escapes_json_requires(string text, string expectedInside)
    {
        var json = WeChatJsonWriter.Serialize(new TextBody(text), WeChatApiJsonContext.Wire.TextBody);

        Assert.Equal("{\"content\":\"" + expectedInside + "\"}", Encoding.UTF8.GetString(json));
    }

    [Theory]
    [InlineData("\"\\uD83D\"", "\"\\uD83D\"")]
    [InlineData("\"\\uDE00\\uD83D\"", "\"\\uDE00\\uD83D\"")]
    [InlineData("\"\\\\uD83D\\uDE00\"", "\"\\\\uD83D\\uDE00\"")]
    [InlineData("\"\\uD83D\\uDE00\\", "\"😀\\")]
    public void Only_well_formed_surrogate_pair_escapes_are_rewritten(string input, string expected)
    {
        var output = WeChatJsonWriter.UnescapeSurrogatePairs(Encoding.UTF8.GetBytes(input));

        Assert.Equal(expected, Encoding.UTF8.GetString(output));
    }
}
