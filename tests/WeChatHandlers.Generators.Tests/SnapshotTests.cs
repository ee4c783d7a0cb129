using WeChatHandlers.Generators;

namespace WeChatHandlers.Generators.Tests;

/// <summary>The generated source for representative handler sets, compared with approved snapshots.</summary>
public sealed class SnapshotTests
{
    internal const string DesignExample = TestCompilation.Usings + """
        namespace Support;

        public interface ICustomerServiceClient
        {
            Task SendTextAsync(string toUser, string text, CancellationToken cancellationToken);
        }

        public interface IOrderService
        {
            ValueTask<string> FindAsync(string number, CancellationToken cancellationToken);
        }

        public interface IAudit
        {
            void Write(string line);
        }

        public sealed class SupportHandlers(ICustomerServiceClient reply, IAudit? audit)
        {
            private const string Menu = "1. orders 2. human";

            [OnEvent("user_enter_tempsession")]
            public Task Welcome(UserEnterTempSessionEvent e, CancellationToken ct)
                => reply.SendTextAsync(e.FromUserName, "Hi! Type 'help' for the menu.", ct);

            [OnText("help")]
            [OnText("menu")]
            public Task Help(TextMessage m, CancellationToken ct) => reply.SendTextAsync(m.FromUserName, Menu, ct);

            [OnText(Prefix = "order ")]
            public async ValueTask Order(TextMessage m, IOrderService orders, CancellationToken ct)
                => await reply.SendTextAsync(m.FromUserName, await orders.FindAsync(m.Content.Substring(6), ct), ct);

            [OnText(Pattern = @"^\d{6}$", Ack = WeChatAckMode.Immediately)]
            public WeChatReply Code(TextMessage m) => WeChatReply.Success;

            [OnText]
            public WeChatReply Human(TextMessage m) => WeChatReply.TransferToCustomerService();

            [OnImage]
            public void Image(ImageMessage m) => audit?.Write("image " + m.MediaId);

            [OnUnhandled]
            public void Other(WeChatMessage m) => audit?.Write("unhandled " + m.MsgType);
        }

        public static class PlatformHandlers
        {
            [OnEvent("subscribe_msg_popup_event", Ack = WeChatAckMode.AfterHandler)]
            public static Task<WeChatReply> Popup(WeChatEvent e, WeChatContext context) => Task.FromResult(WeChatReply.Empty);

            [OnMessage("event")]
            public static ValueTask<WeChatReply> AnyEvent(WeChatEvent e) => new(WeChatReply.Success);

            [OnMessage("voice")]
            public static void Voice(WeChatMessage m, WeChatContext context) { }

            [OnMiniProgramPage]
            public static void Card(MiniProgramPageMessage m) { }
        }
        """;

    [Fact]
    public void Design_example()
    {
        var (_, files) = TestCompilation.GenerateClean(DesignExample);

        Assert.Equal([Emitter.DispatcherHintName, Emitter.ServicesHintName], files.Keys.Order(StringComparer.Ordinal));
        Snapshot.Verify(nameof(SnapshotTests), files[Emitter.DispatcherHintName], Emitter.DispatcherHintName);
        Snapshot.Verify(nameof(SnapshotTests), files[Emitter.ServicesHintName], Emitter.ServicesHintName);
    }

    [Fact]
    public void No_handlers()
    {
        var (_, files) = TestCompilation.GenerateClean(TestCompilation.Usings + "public sealed class NotAHandler { public void Run() { } }");

        Snapshot.Verify(nameof(SnapshotTests), files[Emitter.DispatcherHintName], Emitter.DispatcherHintName);
        Snapshot.Verify(nameof(SnapshotTests), files[Emitter.ServicesHintName], Emitter.ServicesHintName);
    }

    [Fact]
    public void Events_sharing_a_length()
    {
        var (_, files) = TestCompilation.GenerateClean(TestCompilation.Usings + """
            public static class KfHandlers
            {
                [OnEvent("kf_create_session")] public static void Create(WeChatEvent e) { }
                [OnEvent("kf_switch_session")] public static void Switch(WeChatEvent e) { }
                [OnEvent("kf_close_session")] public static void Close(WeChatEvent e) { }
                [OnEvent("user_info_modified")] public static void Info(WeChatEvent e) { }
                [OnEvent("xpay_coin_pay_notify")] public static void Coins(WeChatEvent e) { }
                [OnEvent("xpay_refund_notify")] public static void Refund(WeChatEvent e) { }
            }
            """);

        Snapshot.Verify(nameof(SnapshotTests), files[Emitter.DispatcherHintName], Emitter.DispatcherHintName);
    }

    [Fact]
    public void Keys_needing_escapes()
    {
        var (_, files) = TestCompilation.GenerateClean(TestCompilation.Usings + """
            public static class EscapeHandlers
            {
                [OnText("say \"hi\"")] public static void Quote(TextMessage m) { }
                [OnText("back\\slash")] public static void Backslash(TextMessage m) { }
                [OnText("line\nbreak")] public static void Newline(TextMessage m) { }
                [OnText("你好")] public static void Chinese(TextMessage m) { }
                [OnText(Prefix = "退款 ")] public static void Refund(TextMessage m) { }
                [OnText(Pattern = "^\"(?<q>[^\"]+)\"$")] public static void Quoted(TextMessage m) { }
                [OnMessage("weird\"type")] public static void Weird(WeChatMessage m) { }
            }
            """);

        Snapshot.Verify(nameof(SnapshotTests), files[Emitter.DispatcherHintName], Emitter.DispatcherHintName);
    }
}
