using WeChatHandlers.Generators;

namespace WeChatHandlers.Generators.Tests;

/// <summary>User-declared payload types of every supported shape: generated, compiled without warnings, and run.</summary>
public sealed class PayloadTests
{
    internal const string Shapes = TestCompilation.Usings + """
        using System.Collections.Generic;
        using System.Linq;

        namespace Shop;

        [WeChatPayload]
        public sealed partial class OrderEvent
        {
            public string ToUserName { get; init; } = "";
            public long CreateTime { get; init; }

            [WeChatField("order_id")]
            public required string OrderId { get; init; }

            public int Count { get; set; } = 7;
            public bool Paid { get; init; }
            public double Weight { get; init; }
            public decimal Price { get; init; }
            public int? Coupon { get; init; }
            public long? Refund { get; init; }
            public bool? Gift { get; init; }
            public decimal? Tax { get; init; }
            public double? Ratio { get; init; }
            public string? Note { get; init; }

            [WeChatField("tags")]
            public string[] Tags { get; init; } = [];

            [WeChatField("codes")]
            public List<long> Codes { get; init; } = new();

            [WeChatField("line", Wrapper = "lines")]
            public IReadOnlyList<Line> Lines { get; init; } = [];

            [WeChatField("buyer")]
            public Buyer? Buyer { get; init; }

            [WeChatField("spot")]
            public Spot Spot { get; init; }

            [WeChatField("marks")]
            public Mark[] Marks { get; init; } = [];
        }

        [WeChatPayload]
        public sealed partial record Line([property: WeChatField("sku")] string Sku, int Quantity = 1, string Unit = "pc");

        [WeChatPayload]
        public partial record class Buyer
        {
            public string Name { get; init; } = "anonymous";
            public List<string> Phones { get; init; } = new();
        }

        [WeChatPayload]
        public partial struct Spot
        {
            public int X { get; set; }
            public int Y { get; init; }
        }

        [WeChatPayload]
        public readonly partial record struct Mark(int Level, [property: WeChatField("why")] string Reason);

        public static class Outer
        {
        }

        public static partial class Holder
        {
            [WeChatPayload]
            public partial class Inner
            {
                public int Value { get; init; }
            }
        }

        public static class ShopHandlers
        {
            [OnMessage("order")]
            public static void Order(OrderEvent e, Log log) => log.Add(string.Join(",",
                e.ToUserName, e.CreateTime, e.OrderId, e.Count, e.Paid, e.Weight, e.Price, e.Coupon, e.Refund, e.Gift, e.Tax, e.Ratio, e.Note ?? "null",
                string.Join("/", e.Tags), string.Join("/", e.Codes),
                string.Join("/", e.Lines.Select(l => l.Sku + "x" + l.Quantity + l.Unit)),
                e.Buyer is null ? "nobuyer" : e.Buyer.Name + ":" + string.Join("/", e.Buyer.Phones),
                e.Spot.X + ";" + e.Spot.Y,
                string.Join("/", e.Marks.Select(m => m.Level + m.Reason))));

            [OnEvent("inner_event")]
            public static void Inner(Holder.Inner i, Log log) => log.Add("inner " + i.Value);

            [OnUnhandled]
            public static void Rest(Line l, Log log) => log.Add("rest " + l.Sku);
        }
        """;

    [Fact]
    public async Task Every_shape_binds_from_xml()
    {
        var (output, _) = TestCompilation.GenerateClean(Shapes, TestCompilation.Probe);
        const string Xml = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>17</CreateTime><MsgType>order</MsgType>"
            + "<order_id><![CDATA[A-1]]></order_id><Count> 3 </Count><Paid>true</Paid><Weight>1.5</Weight><Price>9.99</Price><Coupon>5</Coupon><Refund>-2</Refund><Gift>0</Gift><Tax>0.1</Tax><Ratio>2e-1</Ratio>"
            + "<tags>a</tags><tags>b&amp;c</tags><codes>1</codes><codes>2</codes><codes>3</codes>"
            + "<lines><line><sku>s1</sku><Quantity>2</Quantity></line><line><sku>s2</sku><Unit>kg</Unit></line></lines>"
            + "<buyer><Name>李雷 😀</Name><Phones>1</Phones><Phones>2</Phones></buyer><spot><X>4</X><Y>5</Y></spot>"
            + "<marks><Level>1</Level><why>x</why></marks><marks><Level>2</Level><why></why></marks><unknown><deep>1</deep></unknown></xml>";

        var results = await TestCompilation.RunAsync(output, Xml);

        Assert.Equal("ShopHandlers.Order|Success|gh,17,A-1,3,True,1.5,9.99,5,-2,False,0.1,0.2,null,a/b&c,1/2/3,s1x2pc/s2x1kg,李雷 😀:1/2,4;5,1x/2", results.Single());
    }

    [Fact]
    public async Task Every_shape_binds_from_json_with_single_values_for_lists_and_numbers_as_strings()
    {
        var (output, _) = TestCompilation.GenerateClean(Shapes, TestCompilation.Probe);
        const string Json = """
            {"ToUserName":"gh","FromUserName":"o","CreateTime":"17","MsgType":"order","order_id":"A-\u0031","Count":"3","Paid":true,"Weight":"1.5","Price":9.99,
             "Coupon":null,"Refund":"-2","Gift":"false","Tax":"0.1","Ratio":0.2,"Note":"n","tags":"a","codes":[1,"2",3],
             "line":{"sku":"s1","Quantity":2},"buyer":{"Name":"x","Phones":"1"},"spot":{"X":4,"Y":"5"},"marks":{"Level":1,"why":"x"},"extra":[{"a":[]}]}
            """;

        var results = await TestCompilation.RunAsync(output, Json);

        Assert.Equal("ShopHandlers.Order|Success|gh,17,A-1,3,True,1.5,9.99,,-2,False,0.1,0.2,n,a,1/2/3,s1x2pc,x:1,4;5,1x", results.Single());
    }

    [Fact]
    public async Task Absent_members_keep_their_defaults_and_initializers()
    {
        var (output, _) = TestCompilation.GenerateClean(Shapes, TestCompilation.Probe);

        var results = await TestCompilation.RunAsync(output, """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order","order_id":""}""");

        Assert.Equal("ShopHandlers.Order|Success|gh,1,,7,False,0,0,,,,,,null,,,,nobuyer,0;0,", results.Single());
    }

    [Theory]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order"}""", "order_id", "is required but missing")]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order","order_id":"a","Count":"two"}""", "Count", "must be a 32-bit integer")]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order","order_id":"a","line":[{"sku":"a"},{"Quantity":1}]}""", "line[1].sku", "is required but missing")]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order","order_id":"a","codes":[1,"x"]}""", "codes[1]", "must be a 64-bit integer")]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order","order_id":"a","buyer":{"Phones":[{}]}}""", "buyer.Phones[0]", "must be text")]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order","order_id":"a","Paid":"yes"}""", "Paid", "must be a boolean")]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"order","order_id":"a","Price":"1,5"}""", "Price", "must be a decimal number")]
    [InlineData("<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>order</MsgType><order_id>a</order_id><lines><line><sku>a</sku><Quantity>many</Quantity></line></lines></xml>", "lines.line[0].Quantity", "must be a 32-bit integer")]
    public async Task Missing_required_or_unconvertible_values_are_malformed_before_any_handler(string payload, string path, string reason)
    {
        var (output, _) = TestCompilation.GenerateClean(Shapes, TestCompilation.Probe);

        // Binding is the argument of the handler call: it throws before the handler is entered.
        var ex = await Assert.ThrowsAsync<WeChatPayloadException>(() => TestCompilation.RunAsync(output, payload));

        Assert.Equal(path, ex.FieldPath);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nested_and_positional_payload_types_route_on_every_handler_attribute()
    {
        var (output, _) = TestCompilation.GenerateClean(Shapes, TestCompilation.Probe);

        var results = await TestCompilation.RunAsync(
            output,
            """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"inner_event","Value":"12"}""",
            """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"voice","sku":"v"}""");

        Assert.Equal(["ShopHandlers.Inner|Success|inner 12", "ShopHandlers.Rest|Success|rest v"], results);
    }

    [Fact]
    public void Binders_are_generated_per_payload_type_with_stable_hint_names()
    {
        var (_, files) = TestCompilation.GenerateClean(Shapes, TestCompilation.Probe);

        Assert.Equal(
            [
                "Shop.Buyer.WeChatPayload.g.cs", "Shop.Holder.Inner.WeChatPayload.g.cs", "Shop.Line.WeChatPayload.g.cs", "Shop.Mark.WeChatPayload.g.cs",
                "Shop.OrderEvent.WeChatPayload.g.cs", "Shop.Spot.WeChatPayload.g.cs", Emitter.DispatcherHintName, Emitter.ServicesHintName,
            ],
            files.Keys.Order(StringComparer.Ordinal));
        foreach (var name in new[] { "Shop.OrderEvent.WeChatPayload.g.cs", "Shop.Line.WeChatPayload.g.cs", "Shop.Spot.WeChatPayload.g.cs", "Shop.Holder.Inner.WeChatPayload.g.cs" })
        {
            Snapshot.Verify(nameof(PayloadTests), files[name], name);
        }
    }

    private const string IndexedOnly = TestCompilation.Usings + """
        [WeChatPayload]
        public readonly partial struct Greeting
        {
            public string FromUserName { get; init; } = "nobody";
            public required string Content { get; init; }
            public long CreateTime { get; init; }
        }

        public static class GreetingHandlers
        {
            [OnMessage("greeting")]
            public static void Greet(Greeting g, Log log) => log.Add(g.FromUserName + ":" + g.Content + ":" + g.CreateTime);
        }
        """;

    [Fact]
    public async Task A_type_of_indexed_fields_reads_the_field_table_at_the_root()
    {
        var (output, files) = TestCompilation.GenerateClean(IndexedOnly, TestCompilation.Probe);
        Snapshot.Verify(nameof(PayloadTests), files["Greeting.WeChatPayload.g.cs"], "Greeting.WeChatPayload.g.cs");

        var results = await TestCompilation.RunAsync(
            output,
            "<xml><ToUserName>gh</ToUserName><FromUserName>o&amp;1</FromUserName><CreateTime>7</CreateTime><MsgType>greeting</MsgType><Content><![CDATA[hi]]></Content></xml>",
            """{"ToUserName":"gh","FromUserName":"o","CreateTime":"8","MsgType":"greeting","Content":"h\u0069"}""");
        Assert.Equal(["GreetingHandlers.Greet|Success|o&1:hi:7", "GreetingHandlers.Greet|Success|o:hi:8"], results);

        var ex = await Assert.ThrowsAsync<WeChatPayloadException>(() => TestCompilation.RunAsync(output, """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"greeting"}"""));
        Assert.Equal("Content", ex.FieldPath);
    }

    private const string Names = TestCompilation.Usings + """
        using System.Collections.Generic;
        using System.Linq;

        [WeChatPayload]
        public sealed partial class Names
        {
            // Same length, same first byte, differing later; a non-ASCII wire name; a wrapper that shares a member's name.
            [WeChatField("abcx")] public string A { get; init; } = "-";
            [WeChatField("abcy")] public string B { get; init; } = "-";
            [WeChatField("abdx")] public string C { get; init; } = "-";
            [WeChatField("名称")] public string Cjk { get; init; } = "-";
            [WeChatField("box", Wrapper = "box")] public string Box { get; init; } = "-";
            [WeChatField("n")] public List<int> Numbers { get; init; } = new();
            [WeChatField("s")] public string[] Strings { get; init; } = [];
        }

        public static class NameHandlers
        {
            [OnMessage("names")]
            public static void Handle(Names n, Log log) => log.Add(string.Join(",", n.A, n.B, n.C, n.Cjk, n.Box, string.Join("/", n.Numbers), string.Join("/", n.Strings)));
        }
        """;

    [Fact]
    public async Task Wire_names_match_by_their_bytes_escaped_or_not_and_long_collections_bind_whole()
    {
        var (output, _) = TestCompilation.GenerateClean(Names, TestCompilation.Probe);
        const string Head = "\"ToUserName\":\"gh\",\"FromUserName\":\"o\",\"CreateTime\":1,\"MsgType\":\"names\"";

        var results = await TestCompilation.RunAsync(
            output,
            "{" + Head + ",\"ab\\u0063y\":\"b\",\"abdx\":\"c\",\"abcxx\":\"no\",\"abc\":\"no\",\"\\u540d\\u79f0\":\"名\",\"box\":\"bx\","
                + "\"abcx\\u0000\":\"no\",\"a\\u0062cx\":\"a\",\"n\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20],\"s\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}",
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>names</MsgType><abcx>a</abcx><名称>名</名称>"
                + string.Concat(Enumerable.Range(1, 17).Select(i => $"<n>{i}</n>")) + "</xml>");

        Assert.Equal(
            [
                "NameHandlers.Handle|Success|a,b,c,名,bx," + string.Join("/", Enumerable.Range(1, 20)) + ",a/b/c/d/e/f/g/h/i",
                "NameHandlers.Handle|Success|a,-,-,名,-," + string.Join("/", Enumerable.Range(1, 17)) + ",",
            ],
            results);
    }

    private const string Edges = TestCompilation.Usings + """
        using System.Collections.Generic;
        using System.Linq;

        public abstract class Header
        {
            public string FromUserName { get; init; } = "";
            public virtual string Note { get; set; } = "base";
            public required string Kind { get; init; }
        }

        [WeChatPayload]
        public partial class Shipment : Header
        {
            [WeChatField("id")] public long Id { get; init; }
            public override string Note { get; set; } = "derived";
            [WeChatField("box")] public List<Box?> Boxes { get; init; } = new();
            [WeChatField("label")] public Label? Label { get; init; }
            [WeChatField("tags")] public string[] Tags { get; init; } = [];
        }

        [WeChatPayload]
        public partial struct Box
        {
            public int Size { get; init; }
        }

        [WeChatPayload]
        public sealed partial class Label
        {
            public string Text { get; init; } = "none";
        }

        public sealed class Counter
        {
            public Counter(Log log) => log.Add("handler built");
        }

        public sealed class ShipmentHandlers(Counter counter)
        {
            [OnMessage("shipment")]
            public void Handle(Shipment s, Log log)
            {
                GC.KeepAlive(counter);
                log.Add(string.Join(",", s.Kind, s.FromUserName, s.Note, s.Id, string.Join("/", s.Boxes.Select(b => b?.Size.ToString() ?? "null")),
                    s.Label?.Text ?? "nolabel", string.Join("/", s.Tags)));
            }
        }

        [WeChatPayload]
        public sealed partial record Parcel(string Code, string? Note, int? Weight, IReadOnlyList<string> Marks);

        public static class ParcelHandlers
        {
            [OnMessage("parcel")]
            public static void Handle(Parcel p, Log log) => log.Add($"{p.Code}|{p.Note ?? "null"}|{p.Weight?.ToString() ?? "null"}|{p.Marks.Count}");
        }

        public sealed class Exploding
        {
            public Exploding() => throw new InvalidOperationException("a service the handler needs was built");
        }

        public sealed class StrictHandlers(Exploding exploding)
        {
            [OnMessage("strict")]
            public void Handle(Shipment s) => GC.KeepAlive(exploding);
        }
        """;

    private static (Microsoft.CodeAnalysis.Compilation Output, System.Collections.Immutable.ImmutableDictionary<string, string> Files) GenerateEdges() =>
        TestCompilation.GenerateClean(Edges, TestCompilation.Probe.Replace("services.AddScoped<Log>();", "services.AddScoped<Log>(); services.AddScoped<Counter>(); services.AddScoped<Exploding>();", StringComparison.Ordinal));

    [Fact]
    public async Task Inherited_members_bind_and_an_inherited_required_member_is_required()
    {
        var (output, _) = GenerateEdges();
        const string Head = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>shipment</MsgType>";

        var results = await TestCompilation.RunAsync(output, Head + "<Kind>k</Kind><Note>n</Note><id>5</id></xml>", Head + "<Kind>k</Kind></xml>");
        Assert.Equal(["ShipmentHandlers.Handle|Success|handler built;k,o,n,5,,nolabel,", "ShipmentHandlers.Handle|Success|handler built;k,o,derived,0,,nolabel,"], results);

        var ex = await Assert.ThrowsAsync<WeChatPayloadException>(() => TestCompilation.RunAsync(output, Head + "<id>5</id></xml>"));
        Assert.Equal("Kind", ex.FieldPath);
    }

    [Fact]
    public async Task A_push_that_does_not_bind_is_refused_before_the_handler_or_its_services_are_built()
    {
        var (output, _) = GenerateEdges();

        // The handler's one dependency throws when it is built: the binding error must come first.
        var ex = await Assert.ThrowsAsync<WeChatPayloadException>(() => TestCompilation.RunAsync(
            output, """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"strict","Kind":"k","id":"x"}"""));
        Assert.Equal("id", ex.FieldPath);

        var built = await Assert.ThrowsAsync<InvalidOperationException>(() => TestCompilation.RunAsync(
            output, """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"strict","Kind":"k","id":"1"}"""));
        Assert.Contains("was built", built.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_xml_elements_bind_as_empty_objects_like_json_empty_objects()
    {
        var (output, _) = GenerateEdges();

        var results = await TestCompilation.RunAsync(
            output,
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>shipment</MsgType><Kind>k</Kind><label/><box></box><box> </box><box><Size>3</Size></box></xml>",
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>shipment</MsgType><Kind>k</Kind><label>\r\n  </label><box><!-- none --></box><box>&#32;</box><box><Size>3</Size></box></xml>",
            """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"shipment","Kind":"k","label":{},"box":[{},{"Size":3}]}""");

        Assert.Equal(
            [
                "ShipmentHandlers.Handle|Success|handler built;k,o,derived,0,0/0/3,none,",
                "ShipmentHandlers.Handle|Success|handler built;k,o,derived,0,0/0/3,none,",
                "ShipmentHandlers.Handle|Success|handler built;k,o,derived,0,0/3,none,",
            ],
            results);
    }

    [Fact]
    public async Task A_positional_parameter_without_a_default_is_required_unless_nullable_or_a_collection()
    {
        var (output, _) = GenerateEdges();
        const string Head = "\"ToUserName\":\"gh\",\"FromUserName\":\"o\",\"CreateTime\":1,\"MsgType\":\"parcel\"";

        var results = await TestCompilation.RunAsync(output, "{" + Head + ",\"Code\":\"c\"}", "{" + Head + ",\"Code\":\"c\",\"Note\":\"n\",\"Weight\":\"2\",\"Marks\":[\"a\",\"b\"]}");
        Assert.Equal(["ParcelHandlers.Handle|Success|c|null|null|0", "ParcelHandlers.Handle|Success|c|n|2|2"], results);

        var ex = await Assert.ThrowsAsync<WeChatPayloadException>(() => TestCompilation.RunAsync(output, "{" + Head + ",\"Note\":\"n\"}"));
        Assert.Equal("Code", ex.FieldPath);
    }

    [Fact]
    public async Task A_repeated_field_binds_its_first_value_as_GetField_reads_it()
    {
        var (output, _) = GenerateEdges();
        const string Xml = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>shipment</MsgType>"
            + "<Kind>first</Kind><Kind>second</Kind><label><Text>pass</Text><Text>risky</Text></label></xml>";
        const string Json = """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"shipment","Kind":"first","label":{"Text":"pass","Text":"risky"},"Kind":"second"}""";

        var results = await TestCompilation.RunAsync(output, Xml, Json);

        Assert.Equal(["ShipmentHandlers.Handle|Success|handler built;first,o,derived,0,,pass,", "ShipmentHandlers.Handle|Success|handler built;first,o,derived,0,,pass,"], results);
        foreach (string push in new[] { Xml, Json })
        {
            var payload = WeChatHandlers.Payloads.WeChatPayload.Parse(System.Text.Encoding.UTF8.GetBytes(push));
            Assert.Equal("first", payload.GetField("Kind"));
            Assert.Equal("pass", payload.GetField("label.Text"));
        }
    }

    private const string Hiding = TestCompilation.Usings + """
        using System.Collections.Generic;
        using System.Linq;

        public class Base1
        {
            public string Tag { get; set; } = "base";
            public virtual string Note { get; set; } = "unset";
            public string Shadow { get; set; } = "s";
            public DateTimeOffset ReceivedAt { get; set; }
        }

        [WeChatPayload]
        public partial class Hider : Base1
        {
            private new int Tag { get; set; }
            public override string Note { get => base.Note; }
            public static new string Shadow { get; set; } = "static";
            [WeChatField("lab")] public List<Lab?> Labs { get; init; } = new();
            [WeChatField("names")] public List<string?> Names { get; init; } = new();
            public int Hidden() => Tag;
        }

        [WeChatPayload]
        public sealed partial class Lab
        {
            public string Text { get; init; } = "";
        }

        public static class HiderHandlers
        {
            [OnMessage("hider")]
            public static void Handle(Hider h, Log log) => log.Add(string.Join(",", ((Base1)h).Tag, h.Hidden(), h.Note, ((Base1)h).Shadow,
                string.Join("/", h.Labs.Select(l => l?.Text)), string.Join("/", h.Names)));
        }
        """;

    [Fact]
    public async Task Hidden_members_stay_unbound_a_getter_only_override_binds_and_an_inherited_unbindable_member_is_left_alone()
    {
        // Compiles clean: the private and static members hiding base properties, the lists of nullable references,
        // and the base's DateTimeOffset (not bindable, not the type's own: left at its default, no error).
        var (output, _) = TestCompilation.GenerateClean(Hiding, TestCompilation.Probe);

        var results = await TestCompilation.RunAsync(
            output,
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>hider</MsgType>"
            + "<Tag>7</Tag><Note>bound</Note><Shadow>y</Shadow><ReceivedAt>2025-01-01</ReceivedAt><lab><Text>a</Text></lab><names>n1</names><names>n2</names></xml>");

        Assert.Equal(["HiderHandlers.Handle|Success|base,0,bound,s,a,n1/n2"], results);
    }
}
