namespace WeChatHandlers.Generators.Tests;

/// <summary>Generated code compiled in memory, loaded into a collectible context and run against packets.</summary>
public sealed class RunTests
{
    private const string TextPrecedence = TestCompilation.Usings + """
        public static class TextHandlers
        {
            [OnText("order 1")] public static void Exact(TextMessage m, Log log) => log.Add("exact:" + m.Content);
            [OnText(Prefix = "order")] public static void Short(TextMessage m, Log log) => log.Add("short:" + m.Content);
            [OnText(Prefix = "order 1")] public static void Long(TextMessage m, Log log) => log.Add("long:" + m.Content);
            [OnText(Pattern = @"\d+$")] public static void Digits(TextMessage m, Log log) => log.Add("digits:" + m.Content);
            [OnText(Pattern = "^zz")] public static void Zs(TextMessage m, Log log) => log.Add("zs:" + m.Content);
            [OnText] public static void Any(TextMessage m, Log log) => log.Add("any:" + m.Content);
            [OnMessage("text")] public static void AnyMessage(WeChatMessage m, Log log) => log.Add("message");
            [OnUnhandled] public static void Unhandled(WeChatMessage m, Log log) => log.Add("unhandled");
        }
        """;

    [Theory]
    [InlineData("order 1", "TextHandlers.Exact|Success|exact:order 1")]
    [InlineData("order 12", "TextHandlers.Long|Success|long:order 12")]
    [InlineData("order x", "TextHandlers.Short|Success|short:order x")]
    [InlineData("zz 42", "TextHandlers.Digits|Success|digits:zz 42")]
    [InlineData("zz top", "TextHandlers.Zs|Success|zs:zz top")]
    [InlineData("hello", "TextHandlers.Any|Success|any:hello")]
    [InlineData("", "TextHandlers.Any|Success|any:")]
    public async Task Text_precedence_is_exact_then_longest_prefix_then_patterns_in_order_then_any(string content, string expected)
    {
        var (output, _) = TestCompilation.GenerateClean(TextPrecedence, TestCompilation.Probe);

        var results = await TestCompilation.RunAsync(output, Packets.Text(content));

        Assert.Equal(expected, results.Single());
    }

    [Fact]
    public async Task Escaped_content_is_matched_after_decoding()
    {
        var (output, _) = TestCompilation.GenerateClean(TextPrecedence, TestCompilation.Probe);
        const string XmlEntities = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>order&#32;1</Content><MsgId>1</MsgId></xml>";
        const string JsonEscapes = """{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"t\u0065xt","Content":"order\u0020123","MsgId":1}""";

        var results = await TestCompilation.RunAsync(output, XmlEntities, JsonEscapes);

        Assert.Equal(["TextHandlers.Exact|Success|exact:order 1", "TextHandlers.Long|Success|long:order 123"], results);
    }

    [Fact]
    public async Task Fallbacks_are_message_type_then_unhandled()
    {
        var (output, _) = TestCompilation.GenerateClean(TestCompilation.Probe, TestCompilation.Usings + """
            public static class Handlers
            {
                [OnText("hi")] public static void Hi(TextMessage m, Log log) => log.Add(m.Content);
                [OnMessage("text")] public static void OtherText(TextMessage m, Log log) => log.Add("text:" + m.Content);
                [OnMessage("voice")] public static void Voice(WeChatMessage m, Log log) => log.Add(m.MsgType + ":" + m.GetField("MediaId"));
                [OnEvent("user_enter_tempsession")] public static void Enter(UserEnterTempSessionEvent e, Log log) => log.Add(e.SessionFrom);
                [OnMessage("event")] public static void OtherEvent(WeChatEvent e, Log log) => log.Add("event:" + e.Event);
                [OnUnhandled] public static void Rest(WeChatMessage m, Log log) => log.Add("rest:" + m.MsgType);
            }
            """);

        var results = await TestCompilation.RunAsync(
            output,
            Packets.Text("hi"),
            Packets.Text("other"),
            Packets.Of("voice"),
            Packets.Event("user_enter_tempsession"),
            Packets.Event("kf_close_session"),
            Packets.Of("image"),
            Packets.Of("location"));

        Assert.Equal(
            [
                "Handlers.Hi|Success|hi",
                "Handlers.OtherText|Success|text:other",
                "Handlers.Voice|Success|voice:m1",
                "Handlers.Enter|Success|card",
                "Handlers.OtherEvent|Success|event:kf_close_session",
                "Handlers.Rest|Success|rest:image",
                "Handlers.Rest|Success|rest:location",
            ],
            results);
    }

    [Fact]
    public async Task Without_a_fallback_unclaimed_messages_are_unhandled()
    {
        var (output, _) = TestCompilation.GenerateClean(TestCompilation.Probe, TestCompilation.Usings + """
            public static class Handlers
            {
                [OnText("hi")] public static void Hi(Log log) => log.Add("hi");
                [OnEvent("debug_demo")] public static void Debug(WeChatEvent e, Log log) => log.Add(e.GetField("debug_str") ?? "none");
            }
            """);

        var results = await TestCompilation.RunAsync(output, Packets.Text("hi"), Packets.Text("hello"), Packets.Event("debug_demox"), Packets.Of("image"), Packets.Event("debug_demo"));

        Assert.Equal(["Handlers.Hi|Success|hi", "|Success|", "|Success|", "|Success|", "Handlers.Debug|Success|none"], results);
    }

    [Fact]
    public async Task Every_return_type_completes_with_its_reply()
    {
        var (output, _) = TestCompilation.GenerateClean(TestCompilation.Probe, TestCompilation.Usings + """
            public static class Returns
            {
                [OnText("void")] public static void Void(Log log) => log.Add("void");
                [OnText("task")] public static async Task Task(Log log) { await System.Threading.Tasks.Task.Yield(); log.Add("task"); }
                [OnText("valuetask")] public static async ValueTask ValueTask(Log log) { await System.Threading.Tasks.Task.Yield(); log.Add("valuetask"); }
                [OnText("reply")] public static WeChatReply Reply() => WeChatReply.Empty;
                [OnText("taskreply")] public static async Task<WeChatReply> TaskReply() { await System.Threading.Tasks.Task.Yield(); return WeChatReply.TransferToCustomerService(); }
                [OnText("valuetaskreply")] public static async ValueTask<WeChatReply> ValueTaskReply() { await System.Threading.Tasks.Task.Yield(); return WeChatReply.Empty; }
                [OnText("syncvaluetaskreply")] public static ValueTask<WeChatReply> SyncValueTaskReply() => new(WeChatReply.TransferToCustomerService());
            }
            """);

        var results = await TestCompilation.RunAsync(
            output,
            Packets.Text("void"),
            Packets.Text("task"),
            Packets.Text("valuetask"),
            Packets.Text("reply"),
            Packets.Text("taskreply"),
            Packets.Text("valuetaskreply"),
            Packets.Text("syncvaluetaskreply"));

        Assert.Equal(
            [
                "Returns.Void|Success|void",
                "Returns.Task|Success|task",
                "Returns.ValueTask|Success|valuetask",
                "Returns.Reply|Empty|",
                "Returns.TaskReply|TransferToCustomerService|",
                "Returns.ValueTaskReply|Empty|",
                "Returns.SyncValueTaskReply|TransferToCustomerService|",
            ],
            results);
    }

    [Fact]
    public async Task Every_parameter_kind_is_bound()
    {
        var (output, _) = TestCompilation.GenerateClean(TestCompilation.Probe, TestCompilation.Usings + """
            public interface IMissing { }

            public sealed class Greeter
            {
                public string Greet(string name) => "hello " + name;
            }

            public sealed class Kinds(Log log, IMissing? missing)
            {
                public Kinds(Log log) : this(log, null) { }

                [OnText("all")]
                public void All(CancellationToken ct, WeChatContext context, TextMessage m, Log fromServices, IMissing? optional, Greeter? greeter)
                    => log.Add($"{m.Content}/{m.FromUserName}/{m.ToUserName}/{m.CreateTime}/{m.MsgId}/{context.Format}/{ct.CanBeCanceled}/{ReferenceEquals(log, fromServices)}/{optional is null}/{missing is null}/{greeter is null}");

                [OnImage]
                public void Image(WeChatMessage m) => log.Add($"{m.MsgType}/{m.GetField("PicUrl")}/{m.FromUserName}");

                [OnMiniProgramPage]
                public void Card(MiniProgramPageMessage m) => log.Add($"{m.Title}/{m.AppId}/{m.PagePath}/{m.MsgId}");

                [OnEvent("user_enter_tempsession")]
                [OnEvent("kf_create_session")]
                public void Event(WeChatEvent e) => log.Add($"{e.Event}/{e.GetField("SessionFrom")}");

                [OnUnhandled]
                public void Fallback(WeChatMessage m) => log.Add($"fallback/{m.MsgType}");
            }
            """);

        var results = await TestCompilation.RunAsync(
            output,
            Packets.Text("all"),
            Packets.Of("image"),
            Packets.Of("miniprogrampage"),
            Packets.Event("user_enter_tempsession"),
            Packets.Event("kf_create_session"),
            Packets.Text("none"));

        Assert.Equal(
            [
                "Kinds.All|Success|all/o_from/gh_to/1700000000/42/Json/False/True/True/True/True",
                "Kinds.Image|Success|image/http://p/o_from",
                "Kinds.Card|Success|t/wx1/pages/a/43",
                "Kinds.Event|Success|user_enter_tempsession/card",
                "Kinds.Event|Success|kf_create_session/card",
                "Kinds.Fallback|Success|fallback/text",
            ],
            results);
    }

    [Fact]
    public async Task Many_events_of_one_length_each_reach_their_handler()
    {
        // Twelve names of ten bytes that differ at several positions, some sharing the byte the switch splits on.
        string[] names = ["evt_aaaaaa", "evt_aaaaab", "evt_aaaaba", "evt_aaabaa", "evt_aabaaa", "evt_abaaaa", "evt_baaaaa", "evt_bbaaaa", "evt_caaaaa", "evt_cbaaaa", "evt_ccaaaa", "evt_cccccc"];
        var handlers = string.Join("\n", names.Select((n, i) => $"    [OnEvent(\"{n}\")] public static void E{i}(WeChatEvent e, Log log) => log.Add(e.Event);"));
        var (output, files) = TestCompilation.GenerateClean(TestCompilation.Probe, TestCompilation.Usings + "public static class Many\n{\n" + handlers + "\n}\n");
        Assert.Contains("switch (name[", files[Emitter.DispatcherHintName], StringComparison.Ordinal);

        string[] nearMisses = ["evt_aaaaac", "evt_dddddd", "evt_aaaaa", "evt_aaaaaaa"];
        var results = await TestCompilation.RunAsync(output, [.. names.Concat(nearMisses).Select(Packets.Event)]);

        Assert.Equal(
            [.. names.Select((n, i) => $"Many.E{i}|Success|{n}"), .. nearMisses.Select(_ => "|Success|")],
            results);
    }

    [Fact]
    public async Task A_large_table_dispatches_every_route_through_its_own_invocation_methods()
    {
        // Above sixteen handlers the generator moves each invocation into its own method and reads routes from a table.
        string[] names = [.. Enumerable.Range(0, 40).Select(i => $"scaling_event_{i:000}")];
        var events = names.Select((n, i) => i % 3 == 0
            ? $"    [OnEvent(\"{n}\")] public void E{i}(WeChatEvent e, Log log) => log.Add(e.Event);"
            : $"    [OnEvent(\"{n}\")] public static void E{i}(WeChatEvent e, Log log) => log.Add(e.Event);");
        var source = TestCompilation.Usings + "public sealed class Many\n{\n" + string.Join("\n", events)
            + "\n    [OnText(\"ping\")] public static WeChatReply Ping(TextMessage m) => WeChatReply.TransferToCustomerService();\n}\n";
        var (output, files) = TestCompilation.GenerateClean(TestCompilation.Probe, source);
        Assert.Contains("RouteAt(", files[Emitter.DispatcherHintName], StringComparison.Ordinal);

        string[] nearMisses = ["scaling_event_040", "scaling_event_00", "scaling_event_0000"];
        var results = await TestCompilation.RunAsync(output, [.. names.Concat(nearMisses).Select(Packets.Event)]);
        Assert.Equal(
            [.. names.Select((n, i) => $"Many.E{i}|Success|{n}"), .. nearMisses.Select(_ => "|Success|")],
            results);
    }
}
