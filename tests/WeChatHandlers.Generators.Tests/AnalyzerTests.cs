using Microsoft.CodeAnalysis;

namespace WeChatHandlers.Generators.Tests;

/// <summary>Each diagnostic fires on a mistake and stays quiet on the nearest valid code. The generator runs first, as in a build.</summary>
public sealed class AnalyzerTests
{
    private const string Services = """
        public interface IClock { }
        public interface IStore { }

        """;

    [Theory]
    [InlineData("WCH0001", "public static class H { [OnImage] public static void M(TextMessage m) { } }")]
    [InlineData("WCH0001", "public static class H { [OnEvent(\"debug_demo\")] public static void M(UserEnterTempSessionEvent e) { } }")]
    [InlineData("WCH0001", "public static class H { [OnUnhandled] public static void M(WeChatEvent e) { } }")]
    [InlineData("WCH0002", "public static class A { [OnText(\"help\")] public static void M() { } } public static class B { [OnText(\"help\")] public static void N() { } }")]
    [InlineData("WCH0002", "public static class A { [OnImage] public static void M() { } [OnImage] public static void N() { } }")]
    [InlineData("WCH0002", "public static class A { [OnEvent(\"debug_demo\")][OnEvent(\"debug_demo\")] public static void M() { } }")]
    [InlineData("WCH0003", "public static class H { [OnEvent(\" \")] public static void M() { } }")]
    [InlineData("WCH0003", "public static class H { [OnText(\"\")] public static void M() { } }")]
    [InlineData("WCH0003", "public static class H { [OnText(Prefix = \"\")] public static void M() { } }")]
    [InlineData("WCH0003", "public static class H { [OnMessage(\"\")] public static void M() { } }")]
    [InlineData("WCH0004", "public static class H { [OnText(Pattern = \"(unclosed\")] public static void M() { } }")]
    [InlineData("WCH0005", "public static class H { [OnText] public static int M() => 1; }")]
    [InlineData("WCH0005", "public static class H { [OnText] public static Task<int> M() => Task.FromResult(1); }")]
    [InlineData("WCH0006", "public static class H { [OnText] public static async void M() { await Task.Yield(); } }")]
    [InlineData("WCH0007", "public class H { [OnText] private void M() { } }")]
    [InlineData("WCH0007", "public class H { [OnText] protected static void M() { } }")]
    [InlineData("WCH0007", "public class Outer { private static class H { [OnText] public static void M() { } } }")]
    [InlineData("WCH0008", "public abstract class H { [OnText] public void M() { } }")]
    [InlineData("WCH0008", "public sealed class H { private H() { } [OnText] public void M() { } }")]
    [InlineData("WCH0008", "public struct H { [OnText] public void M() { } }")]
    [InlineData("WCH0008", "public sealed class H { public required string Name { get; init; } [OnText] public void M() { } }")]
    [InlineData("WCH0009", "public static class H { [OnText] public static void M<T>() { } }")]
    [InlineData("WCH0009", "public sealed class H<T> { [OnText] public void M() { } }")]
    [InlineData("WCH0010", "public static class H { [OnText] public static void M(in WeChatContext context) { } }")]
    [InlineData("WCH0010", "public static class H { [OnText] public static void M(out int x) { x = 1; } }")]
    [InlineData("WCH0011", "public static class A { [OnUnhandled] public static void M() { } } public static class B { [OnUnhandled] public static void N() { } }")]
    [InlineData("WCH0012", "public static class H { [OnText] public static void M(TextMessage a, WeChatMessage b) { } }")]
    [InlineData("WCH0013", "public static class H { [OnEvent(\"user_enter_tempsesion\")] public static void M() { } }")]
    [InlineData("WCH0013", "public static class H { [OnEvent(\"my_custom_event\")] public static void M() { } }")]
    [InlineData("WCH0014", "public sealed class H { public H(IClock c) { } public H(IStore s) { } [OnText] public void M() { } }")]
    [InlineData("WCH0015", "public static class H { [OnText(\"a\", Prefix = \"b\")] public static void M() { } }")]
    [InlineData("WCH0020", "public static class H { [OnText] public static void M(TextMessage m, string name) { } }")]
    [InlineData("WCH0020", "public sealed class H { [OnEvent(\"user_enter_tempsession\")] public void M(int? count) { } }")]
    [InlineData("WCH0015", "public static class H { [OnText(Prefix = \"a\", Pattern = \"b\")] public static void M() { } }")]
    [InlineData("WCH0016", "[WeChatPayload] public sealed class P { public string A { get; init; } = \"\"; }")]
    [InlineData("WCH0016", "public static class Outer { [WeChatPayload] public sealed partial class P { public int A { get; init; } } }")]
    [InlineData("WCH0017", "[WeChatPayload] public sealed partial class P { public System.Collections.Generic.Dictionary<string, string> Extra { get; init; } = new(); }")]
    [InlineData("WCH0017", "[WeChatPayload] public sealed partial class P { public System.DateTime When { get; init; } public System.Collections.Generic.List<int[]> Nested { get; init; } = new(); }")]
    [InlineData("WCH0018", "[WeChatPayload] public sealed partial class P { [WeChatField(\"id\")] public string A { get; init; } = \"\"; [WeChatField(\"id\")] public string B { get; init; } = \"\"; }")]
    [InlineData("WCH0018", "[WeChatPayload] public sealed partial class P { public string Id { get; init; } = \"\"; [WeChatField(\"Id\")] public long Number { get; init; } }")]
    [InlineData("WCH0019", "[WeChatPayload] public sealed partial class Item { public long MsgId { get; init; } } [WeChatPayload] public sealed partial class Sent { [WeChatField(\"List\", Wrapper = \"SubscribeMsgSentEvent\")] public Item[] List { get; init; } = []; } public static class H { [OnEvent(\"subscribe_msg_sent_event\")] public static void M(Sent e) { } }")]
    [InlineData("WCH0019", "[WeChatPayload] public sealed partial class Check { [WeChatField(\"traceid\")] public string TraceId { get; init; } = \"\"; } public static class H { [OnEvent(\"wxa_media_check\")] public static void M(Check e) { } }")]
    public async Task Fires(string id, string source)
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + Services + source);

        var found = diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(found.Count > 0, $"{id} did not fire; got: {string.Join(", ", diagnostics)}");
        Assert.All(found, d => Assert.True(d.Location.IsInSource, $"{d} has no source location"));
        Assert.All(found, d => Assert.Equal(id is "WCH0013" or "WCH0014" or "WCH0019" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.Severity));
    }

    [Theory]
    [InlineData("WCH0001", "public static class H { [OnImage] public static void M(ImageMessage m) { } [OnEvent(\"user_enter_tempsession\")] public static void E(UserEnterTempSessionEvent e) { } [OnMessage(\"event\")] public static void A(WeChatEvent e) { } [OnUnhandled] public static void U(WeChatMessage m) { } }")]
    [InlineData("WCH0002", "public static class A { [OnText(\"help\")] public static void M() { } } public static class B { [OnText(Prefix = \"help\")] public static void N() { } [OnText(Pattern = \"help\")] public static void P() { } [OnMessage(\"help\")] public static void Q() { } }")]
    [InlineData("WCH0003", "public static class H { [OnEvent(\"debug_demo\")] public static void M() { } [OnText(\" x \")] public static void N() { } }")]
    [InlineData("WCH0004", "public static class H { [OnText(Pattern = \"^(closed)$\")] public static void M() { } }")]
    [InlineData("WCH0005", "public static class H { [OnText] public static Task<WeChatReply> M() => Task.FromResult(WeChatReply.Success); }")]
    [InlineData("WCH0006", "public static class H { [OnText] public static async Task M() { await Task.Yield(); } }")]
    [InlineData("WCH0007", "public class H { [OnText] internal void M() { } } internal class Outer { internal sealed class Inner { [OnImage] public static void N() { } } }")]
    [InlineData("WCH0008", "public abstract class H { [OnText] public static void M() { } } public sealed class S { internal S() { } [OnImage] public static void N() { } }")]
    [InlineData("WCH0009", "public sealed class H { [OnText] public void M() { } public void Helper<T>() { } }")]
    [InlineData("WCH0010", "public static class H { [OnText] public static void M(WeChatContext context, CancellationToken ct) { } }")]
    [InlineData("WCH0011", "public static class A { [OnUnhandled] public static void M() { } [OnMessage(\"text\")] public static void N() { } }")]
    [InlineData("WCH0012", "public static class H { [OnText] public static void M(TextMessage a, WeChatContext c, IClock? clock) { } }")]
    [InlineData("WCH0013", "public static class H { [OnEvent(\"user_enter_tempsession\")] public static void M() { } [OnEvent(\"xpay_refund_notify\")] public static void N() { } }")]
    [InlineData("WCH0014", "public sealed class H { public H() { } public H(IClock c) { } [OnText] public void M() { } }")]
    [InlineData("WCH0015", "public static class H { [OnText(Prefix = \"b\", Ack = WeChatAckMode.Immediately)] public static void M() { } }")]
    [InlineData("WCH0020", "public static class H { [OnText] public static void M(TextMessage m, IClock clock, WeChatContext context, CancellationToken ct) { } }")]
    [InlineData("WCH0016", "[WeChatPayload] public sealed partial class P { public string A { get; init; } = \"\"; } public static partial class Outer { [WeChatPayload] public partial struct Q { public int A { get; init; } } }")]
    [InlineData("WCH0017", "[WeChatPayload] public sealed partial class P { public System.Collections.Generic.IReadOnlyList<long?> A { get; init; } = []; public Q[] Qs { get; init; } = []; public decimal? D { get; init; } public System.Collections.Generic.Dictionary<string, string> Ignored { get; } = new(); } [WeChatPayload] public partial record struct Q(bool B);")]
    [InlineData("WCH0018", "[WeChatPayload] public sealed partial class P { [WeChatField(\"id\")] public string A { get; init; } = \"\"; [WeChatField(\"Id\")] public string B { get; init; } = \"\"; [WeChatField(\"id\", Wrapper = \"w\")] public string C { get; init; } = \"\"; }")]
    [InlineData("WCH0019", "[WeChatPayload] public sealed partial class Item { [WeChatField(\"MsgID\")] public long MsgId { get; init; } public int ErrorCode { get; init; } } [WeChatPayload] public sealed partial class Sent { public string FromUserName { get; init; } = \"\"; [WeChatField(\"List\", Wrapper = \"SubscribeMsgSentEvent\")] public Item[] List { get; init; } = []; } public static class H { [OnEvent(\"subscribe_msg_sent_event\")] public static void M(Sent e) { } [OnEvent(\"my_own_event\")] public static void N(Item e) { } }")]
    public async Task Near_miss_is_quiet(string id, string source)
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + Services + source);

        Assert.DoesNotContain(diagnostics, d => d.Id == id);
        Assert.Empty(diagnostics.Where(d => !(id == "WCH0019" && d.Id == "WCH0013")));
    }

    [Fact]
    public async Task Unknown_event_suggests_the_closest_documented_name()
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + "public static class H { [OnEvent(\"subscribe_msg_popup_evnet\")] public static void M() { } }");

        var warning = Assert.Single(diagnostics);
        Assert.Equal("WCH0013", warning.Id);
        Assert.EndsWith("did you mean 'subscribe_msg_popup_event'?", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unrelated_event_name_gets_no_suggestion()
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + "public static class H { [OnEvent(\"order_paid\")] public static void M() { } }");

        var warning = Assert.Single(diagnostics);
        Assert.DoesNotContain("did you mean", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_item_field_suggests_the_documented_one()
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + """
            [WeChatPayload] public sealed partial class Item { public long MsgId { get; init; } public string TemplateId { get; init; } = ""; }
            [WeChatPayload] public sealed partial class Sent { [WeChatField("List", Wrapper = "SubscribeMsgSentEvent")] public System.Collections.Generic.IReadOnlyList<Item> List { get; init; } = []; }
            public static class H { [OnEvent("subscribe_msg_sent_event")] public static void M(Sent e) { } [OnEvent("subscribe_msg_sent_event", Ack = WeChatAckMode.Immediately)] public static void N(Sent e) { } }
            """);

        var warning = Assert.Single(diagnostics, d => d.Id == "WCH0019");
        Assert.Equal("Member 'MsgId' of 'Item' binds the field 'MsgId', which [OnEvent(\"subscribe_msg_sent_event\")] does not document; did you mean 'MsgID'?", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("MsgId", warning.Location.SourceTree!.GetText().ToString(warning.Location.SourceSpan));
        var text = warning.Location.SourceTree.GetText();
        Assert.Contains("partial class Item", text.Lines[warning.Location.GetLineSpan().StartLinePosition.Line].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_wrapper_suggests_the_documented_one()
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + """
            [WeChatPayload] public sealed partial class Item { public string TemplateId { get; init; } = ""; }
            [WeChatPayload] public sealed partial class Changed { [WeChatField("List", Wrapper = "SubscribeMsgChangeEvnt")] public Item[] List { get; init; } = []; }
            public static class H { [OnEvent("subscribe_msg_change_event")] public static void M(Changed e) { } }
            """);

        var warning = Assert.Single(diagnostics, d => d.Id == "WCH0019");
        Assert.Equal("Member 'List' of 'Changed' binds the field 'SubscribeMsgChangeEvnt', which [OnEvent(\"subscribe_msg_change_event\")] does not document; did you mean 'SubscribeMsgChangeEvent'?", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Built_in_payload_types_are_quiet_on_their_own_events()
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + """
            public static class H
            {
                [OnEvent("subscribe_msg_popup_event")] public static void A(SubscribeMsgPopupEvent e) { }
                [OnEvent("subscribe_msg_sent_event")] public static void B(SubscribeMsgSentEvent e) { }
                [OnEvent("wxa_media_check")] public static void C(WxaMediaCheckEvent e) { }
                [OnEvent("add_express_path")] public static void D(AddExpressPathEvent e) { }
                [OnEvent("xpay_goods_deliver_notify")] public static void E(XPayGoodsDeliverNotifyEvent e) { }
                [OnEvent("trade_manage_order_settlement")] public static void F(TradeManageOrderSettlementEvent e) { }
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task Duplicate_is_reported_at_both_attributes_naming_the_other_handler()
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + """
            public static class A { [OnText(Prefix = "order ")] public static void First() { } }
            public static class B { [OnText(Prefix = "order ")] public static void Second() { } }
            """);

        Assert.Equal(2, diagnostics.Length);
        var messages = diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal("Handler 'A.First' and handler 'B.Second' both claim [OnText(Prefix = \"order \")]; only one is used", messages[0]);
        Assert.Equal("Handler 'B.Second' and handler 'A.First' both claim [OnText(Prefix = \"order \")]; only one is used", messages[1]);
    }

    [Fact]
    public async Task Pragma_suppresses_a_warning_at_its_source_location()
    {
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Usings + """
            public static class H
            {
            #pragma warning disable WCH0013
                [OnEvent("my_custom_event")] public static void M() { }
            #pragma warning restore WCH0013
            }
            """);

        // The same attribute without the pragma fires (see Fires); with it, nothing is reported.
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("kf_close_session", "kf_close_session", 0)]
    [InlineData("kf_close_sesion", "kf_close_session", 1)]
    [InlineData("debug_dmeo", "debug_demo", 1)]
    [InlineData("abc", "xyz", 3)]
    public void Edit_distance_counts_insertions_deletions_substitutions_and_swaps(string a, string b, int expected) =>
        Assert.Equal(expected, EventCatalog.EditDistance(a, b));
}
