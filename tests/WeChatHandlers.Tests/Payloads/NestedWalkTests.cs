using System.Text;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Tests.Payloads;

/// <summary>A tree of any depth: the walks of nested containers, bound and read by path, against a model.</summary>
[WeChatPayload]
public partial class WalkTree
{
    [WeChatField("v")]
    public string? Value { get; init; }

    [WeChatField("n")]
    public List<WalkTree> Children { get; init; } = [];

    // Read after the nested containers before it: the walk must resume exactly past them.
    [WeChatField("after")]
    public string? After { get; init; }
}

/// <summary>
/// Random trees written in the shapes a sender may use (whitespace or a comment before the first child, text between
/// children, unknown containers and elements at every level, repeated elements), bound by a generated binder and read
/// by path. A container is walked while its end is still unknown and reports where its walk ended; one the binder
/// skips is searched for; both must leave the enclosing walk on the next sibling.
/// </summary>
public class NestedWalkTests
{
    private sealed record Model(string? Value, List<Model> Children, string? After);

    [Theory]
    [InlineData(WeChatFormat.Xml, 1)]
    [InlineData(WeChatFormat.Xml, 2)]
    [InlineData(WeChatFormat.Xml, 3)]
    [InlineData(WeChatFormat.Xml, 4)]
    [InlineData(WeChatFormat.Xml, 5)]
    [InlineData(WeChatFormat.Json, 1)]
    [InlineData(WeChatFormat.Json, 2)]
    [InlineData(WeChatFormat.Json, 3)]
    public void Random_trees_bind_and_read_by_path_like_the_model(WeChatFormat format, int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 200; round++)
        {
            var model = NewModel(random, depth: 0);
            string text = format == WeChatFormat.Xml ? Xml(model, random) : Json(model, random);

            var payload = WeChatPayload.Parse(Encoding.UTF8.GetBytes(text));
            AssertBound(model, WeChatBinding.Bind<WalkTree>(payload), text);
            AssertPaths(payload, model, "", text);
        }
    }

    private static string Xml(Model model, Random random)
    {
        var xml = new StringBuilder("<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[tree]]></MsgType>");
        WriteXmlFields(xml, model, random, root: true);
        return xml.Append("</xml>").ToString();
    }

    private static string Json(Model model, Random random)
    {
        var json = new StringBuilder("{\"ToUserName\":\"gh_1\",\"FromUserName\":\"o1\",\"CreateTime\":1,\"MsgType\":\"tree\"");
        WriteJsonFields(json, model, random, first: false);
        return json.Append('}').ToString();
    }

    [Fact]
    public void A_container_after_a_walked_one_is_read_from_its_own_start()
    {
        // The first <n> is walked by its binder (its end is reported), the unknown <x> after it is skipped (its end is
        // searched for), and both leave the walk on the element that follows.
        string xml = "<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>tree</MsgType><n>\n  <v>a</v><n><v>b</v></n>\n</n><x>\n  <y><z>1</z></y></x><n> <v>c</v></n><after>d</after></xml>";
        var tree = WeChatBinding.Bind<WalkTree>(WeChatPayload.Parse(Encoding.UTF8.GetBytes(xml)));
        Assert.Equal(["a", "c"], tree.Children.Select(c => c.Value));
        Assert.Equal("b", Assert.Single(tree.Children[0].Children).Value);
        Assert.Equal("d", tree.After);
    }

    private static Model NewModel(Random random, int depth)
    {
        var children = new List<Model>();
        int count = depth >= 4 ? 0 : random.Next(4);
        for (int i = 0; i < count; i++)
        {
            children.Add(NewModel(random, depth + 1));
        }

        return new Model(
            random.Next(4) == 0 ? null : NewText(random),
            children,
            random.Next(3) == 0 ? null : NewText(random));
    }

    private static string NewText(Random random) => random.Next(6) switch
    {
        0 => "",
        1 => "中文 🚚",
        2 => "a&b<c>",
        _ => "t" + random.Next(1000),
    };

    private static void WriteXmlFields(StringBuilder xml, Model model, Random random, bool root = false)
    {
        // Fields in document order: value, unknown things, children, more unknown things, then "after".
        if (model.Value is { } value)
        {
            xml.Append("<v>").Append(XmlValue(value, random)).Append("</v>");
        }

        WriteXmlNoise(xml, random);
        foreach (var child in model.Children)
        {
            xml.Append("<n>");
            switch (random.Next(4))
            {
                case 0:
                    xml.Append("\n    ");
                    break;
                case 1:
                    xml.Append("<!-- first -->");
                    break;
            }

            WriteXmlFields(xml, child, random);
            if (child.Value is null && child.Children.Count == 0 && child.After is null)
            {
                // An element with no child element is text, not an object: give it one unknown element.
                xml.Append("<unknown>u</unknown>");
            }

            if (random.Next(3) == 0)
            {
                xml.Append('\n');
            }

            xml.Append("</n>");
            if (!root && random.Next(4) == 0)
            {
                // Text between elements is allowed below the root (the root holds only elements).
                xml.Append("text between");
            }
        }

        WriteXmlNoise(xml, random);
        if (model.After is { } after)
        {
            xml.Append("<after>").Append(XmlValue(after, random)).Append("</after>");
        }
    }

    private static void WriteXmlNoise(StringBuilder xml, Random random)
    {
        switch (random.Next(5))
        {
            case 0:
                xml.Append("<skip><deep>\n <deeper>1</deeper><deeper><![CDATA[</n>]]></deeper></deep></skip>");
                break;
            case 1:
                xml.Append("<empty/>");
                break;
            case 2:
                xml.Append("<text>plain</text>");
                break;
        }
    }

    private static string XmlValue(string value, Random random) => random.Next(2) == 0
        ? "<![CDATA[" + value + "]]>"
        : value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static void WriteJsonFields(StringBuilder json, Model model, Random random, bool first)
    {
        void Name(string name)
        {
            if (!first)
            {
                json.Append(',');
            }

            first = false;
            json.Append('"').Append(name).Append("\":");
        }

        if (model.Value is { } value)
        {
            Name("v");
            json.Append(JsonValue(value));
        }

        if (random.Next(4) == 0)
        {
            Name("skip");
            json.Append("{\"deep\":[1,{\"deeper\":\"]}\"},[]]}");
        }

        if (model.Children.Count > 0)
        {
            Name("n");
            bool single = model.Children.Count == 1 && random.Next(2) == 0;
            if (!single)
            {
                json.Append('[');
            }

            for (int i = 0; i < model.Children.Count; i++)
            {
                if (i > 0)
                {
                    json.Append(random.Next(3) == 0 ? " ,\n " : ",");
                }

                json.Append('{');
                WriteJsonFields(json, model.Children[i], random, first: true);
                json.Append('}');
            }

            if (!single)
            {
                json.Append(']');
            }
        }

        if (model.After is { } after)
        {
            Name("after");
            json.Append(JsonValue(after));
        }
    }

    private static string JsonValue(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static void AssertBound(Model expected, WalkTree actual, string push)
    {
        Assert.True(expected.Value == actual.Value, $"v: '{expected.Value}' != '{actual.Value}' in {push}");
        Assert.True(expected.After == actual.After, $"after: '{expected.After}' != '{actual.After}' in {push}");
        Assert.True(expected.Children.Count == actual.Children.Count, $"{expected.Children.Count} children, bound {actual.Children.Count} in {push}");
        for (int i = 0; i < expected.Children.Count; i++)
        {
            AssertBound(expected.Children[i], actual.Children[i], push);
        }
    }

    private static void AssertPaths(WeChatPayload payload, Model model, string prefix, string push)
    {
        Assert.True(model.Value == payload.GetField(prefix + "v"), $"{prefix}v in {push}");
        Assert.True(model.After == payload.GetField(prefix + "after"), $"{prefix}after in {push}");
        Assert.Null(payload.GetField(prefix + $"n[{model.Children.Count}].v"));
        for (int i = 0; i < model.Children.Count; i++)
        {
            AssertPaths(payload, model.Children[i], prefix + $"n[{i}].", push);
        }
    }
}
