using System.Text;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Tests.Payloads;

/// <summary>The two decoders of JSON escapes, to UTF-8 and straight to UTF-16, agree on every escape and surrogate case.</summary>
public class UnescapeTests
{
    [Theory]
    [InlineData(@"plain")]
    [InlineData(@"\u63fd\u4ef6\u9636\u6bb5-\u63fd\u4ef6\u6210\u529f")]
    [InlineData(@"a\""b\\c\/d\be\ff\ng\rh\ti")]
    [InlineData(@"\ud83d\ude9a truck")]
    [InlineData(@"lone high \ud83d then text")]
    [InlineData(@"lone high at end \ud83d")]
    [InlineData(@"high then high \ud83d\ud83d\ude9a")]
    [InlineData(@"lone low \ude9a")]
    [InlineData(@"运输中 🚚 \u0026 mixed")]
    public void Both_decoders_agree(string body) => AssertAgree(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Random_escapes_agree()
    {
        var random = new Random(1234);
        string[] pieces = [@"\u", "a", "运", "🚚", @"\n", @"\""", @"\\", "\\ud83d", "\\ude9a", "\\u00e9", "\\u0000", " "];
        for (int n = 0; n < 2000; n++)
        {
            var sb = new StringBuilder();
            int count = random.Next(1, 40);
            for (int k = 0; k < count; k++)
            {
                string piece = pieces[random.Next(pieces.Length)];
                sb.Append(piece == @"\u" ? $"\\u{random.Next(0x10000):x4}" : piece);
            }

            AssertAgree(Encoding.UTF8.GetBytes(sb.ToString()));
        }
    }

    [Fact]
    public void Long_values_decode_past_the_stack_buffer()
    {
        string body = string.Concat(Enumerable.Repeat(@"\u4e2d文", 200));
        Assert.Equal(string.Concat(Enumerable.Repeat("中文", 200)), JsonPayloadReader.UnescapeToString(Encoding.UTF8.GetBytes(body)));
    }

    private static void AssertAgree(byte[] raw)
    {
        var utf8 = new byte[raw.Length];
        int n = JsonPayloadReader.Unescape(raw, utf8, out bool complete);
        Assert.True(complete);
        Assert.Equal(Encoding.UTF8.GetString(utf8, 0, n), JsonPayloadReader.UnescapeToString(raw));
    }
}
