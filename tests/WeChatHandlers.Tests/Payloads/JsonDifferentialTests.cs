using System.Text;
using System.Text.Json;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Tests.Payloads;

/// <summary>
/// The hand-written JSON scanner must accept exactly what <see cref="Utf8JsonReader"/> accepts (comments and trailing
/// commas off, depth 64) for a top-level object; it may additionally refuse for WeChat's own rules (a known field that
/// is an object, a duplicate known field, a non-integer CreateTime or MsgId).
/// </summary>
public class JsonDifferentialTests
{
    private static readonly string[] Seeds =
    [
        SeedPackets.TextJson,
        SeedPackets.MiniProgramPageJson,
        SeedPackets.EnterSessionJson,
        """{"ToUserName":"gh_1","MsgType":"event","Event":"subscribe_msg_popup_event","List":[{"TemplateId":"t\u00e9\"","SubscribeStatusString":"accept","PopupScene":"0"}],"n":-0.5e+10,"b":true,"z":null}""",
        """ { "a" : [ 1 , 2.0 , -3e-2 , { "b" : [ ] } , "\\\/\b\f\n\r\t\u0041" ] , "c" : { } } """,
        """{"Content":"\ud83d\ude00 \u4f60\u597d","CreateTime":"1597893922","MsgId":"22876340532172986"}""",
        "{}",
    ];

    [Fact]
    public void The_string_search_finds_the_first_special_byte_at_every_offset_and_length()
    {
        // The search reads 16 bytes, then 8, then one at a time: every special byte at every place in buffers long
        // enough to take each path, next to bytes that are not special (a space, DEL, UTF-8 lead and trail bytes).
        byte[] specials = [(byte)'"', (byte)'\\', 0x00, 0x09, 0x1F];
        byte[] plain = [(byte)' ', (byte)'a', 0x7F, 0x80, 0xE4, 0xBF, 0xFF];
        for (int length = 0; length <= 40; length++)
        {
            for (int start = 0; start <= length; start++)
            {
                var buffer = new byte[length];
                for (int i = 0; i < length; i++)
                {
                    buffer[i] = plain[(i + start) % plain.Length];
                }

                Assert.Equal(length, JsonPayloadReader.NextSpecial(buffer, start));
                for (int at = start; at < length; at++)
                {
                    foreach (byte special in specials)
                    {
                        byte kept = buffer[at];
                        buffer[at] = special;
                        Assert.Equal(at, JsonPayloadReader.NextSpecial(buffer, start));
                        if (at + 1 < length)
                        {
                            // A second special byte after the first does not move the answer.
                            byte next = buffer[at + 1];
                            buffer[at + 1] = (byte)'"';
                            Assert.Equal(at, JsonPayloadReader.NextSpecial(buffer, start));
                            buffer[at + 1] = next;
                        }

                        buffer[at] = kept;
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("{\"a\":-}")]
    [InlineData("{\"a\":-0}")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":1.}")]
    [InlineData("{\"a\":.1}")]
    [InlineData("{\"a\":1e}")]
    [InlineData("{\"a\":1e+}")]
    [InlineData("{\"a\":1E5}")]
    [InlineData("{\"a\":-0.0e-0}")]
    [InlineData("{\"a\":+1}")]
    [InlineData("{\"a\":1x}")]
    [InlineData("{\"a\":tru}")]
    [InlineData("{\"a\":nulll}")]
    [InlineData("{\"a\":falsee}")]
    [InlineData("{\"a\":\"\t\"}")]
    [InlineData("{\"a\":\"\\x\"}")]
    [InlineData("{\"a\":\"\\u12G4\"}")]
    [InlineData("{\"a\":\"\\u123\"}")]
    [InlineData("{\"a\":\"\\ud800\"}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1 \"b\":2}")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{a:1}")]
    [InlineData("{\"a\":[1,]}")]
    [InlineData("{\"a\":[,1]}")]
    [InlineData("{\"a\":{\"b\"}}")]
    [InlineData("{\"a\":{\"b\":1,}}")]
    [InlineData("{\"\":1}")]
    [InlineData("{\"a\":1}\u000b")]
    [InlineData("{\"a\":1}\f")]
    [InlineData("{\"a\":1} ")]
    [InlineData("{\"a\":\u00a01}")]
    [InlineData("{\"a\":[1]]}")]
    [InlineData("{\"a\":\"b\"")]
    [InlineData("{\"a\":\"b")]
    [InlineData("{\"a")]
    [InlineData("{")]
    public void Edge_cases_agree_with_Utf8JsonReader(string json) => AssertAgrees(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    public void Depth_limit_agrees_with_Utf8JsonReader(int levels)
    {
        // The root object is one level; the rest are arrays under "a".
        string json = "{\"a\":" + new string('[', levels - 1) + new string(']', levels - 1) + "}";
        AssertAgrees(Encoding.UTF8.GetBytes(json));
    }

    [Fact]
    public void Mutated_documents_agree_with_Utf8JsonReader()
    {
        var random = new Random(20261125);
        byte[] alphabet = "{}[],:\"\\ -+.eE0123456789tfnulrsa\t\n/u"u8.ToArray();
        int compared = 0;
        for (int i = 0; i < 60_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(Seeds[random.Next(Seeds.Length)]).ToList();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits && bytes.Count > 0; e++)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: bytes.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    case 2: bytes.RemoveAt(at); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }

            if (AssertAgrees([.. bytes]))
            {
                compared++;
            }
        }

        Assert.True(compared > 50_000, $"only {compared} inputs were comparable");
    }

    /// <summary>Returns false when the input was not comparable (not UTF-8, or refused for a WeChat rule).</summary>
    private static bool AssertAgrees(byte[] json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return false;
        }

        bool reference = ReaderAccepts(json);
        try
        {
            WeChatPayload.ParseEnvelope(json);
            Assert.True(reference, $"scanner accepted what Utf8JsonReader refuses: {Encoding.UTF8.GetString(json)}");
        }
        catch (WeChatPayloadException ex) when (ex.Reason.Contains("must be", StringComparison.Ordinal) || ex.Reason.Contains("appears twice", StringComparison.Ordinal))
        {
            return false;
        }
        catch (WeChatPayloadException ex)
        {
            Assert.False(reference, $"scanner refused ({ex.Message}) what Utf8JsonReader accepts: {Encoding.UTF8.GetString(json)}");
        }

        return true;
    }

    private static bool ReaderAccepts(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
                // Every string must also be readable: a lone surrogate escape passes the tokenizer, not GetString.
                if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String)
                {
                    _ = reader.GetString();
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
