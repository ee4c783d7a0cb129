using System.Collections.Concurrent;

namespace WeChatHandlers.AspNetCore.Tests;

/// <summary>What the handlers saw, and gates that hold them mid-run.</summary>
public sealed class Probe
{
    private readonly ConcurrentQueue<(string Handler, string? Detail)> _calls = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();

    public SemaphoreSlim Gate { get; } = new(0);

    public int FlakyAttempts;

    public IReadOnlyList<(string Handler, string? Detail)> Calls => [.. _calls];

    public int Count(string handler) => _calls.Count(c => c.Handler == handler);

    public void Record(string handler, string? detail = null)
    {
        _calls.Enqueue((handler, detail));
        Started(handler).TrySetResult();
    }

    public TaskCompletionSource Started(string handler) =>
        _started.GetOrAdd(handler, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>A scoped service: one per message, disposed when the message's run ends.</summary>
public sealed class PerMessage(Probe probe) : IDisposable
{
    private static int s_next;

    public int Id { get; } = Interlocked.Increment(ref s_next);

    public void Dispose() => probe.Record("PerMessage.disposed", Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

public sealed class TestHandlers(Probe probe)
{
    [OnText("scoped")]
    public void Scoped(TextMessage m, PerMessage perMessage, IServiceProvider services)
    {
        // The same scope answers the handler's own lookups.
        if (!ReferenceEquals(perMessage, services.GetService(typeof(PerMessage))))
        {
            throw new InvalidOperationException("two scopes for one message");
        }

        probe.Record("Scoped", perMessage.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [OnText("hello")]
    public void Hello(TextMessage m, WeChatContext context) => probe.Record("Hello", $"{m.Content}|{m.FromUserName}|{context.Format}|{context.IsEncrypted}|{context.AppId}");

    [OnText("transfer")]
    public WeChatReply Transfer(TextMessage m)
    {
        probe.Record("Transfer", m.Content);
        return WeChatReply.TransferToCustomerService();
    }

    [OnText("slow")]
    public async Task Slow(TextMessage m, CancellationToken ct)
    {
        probe.Record("Slow.start", m.Content);
        await probe.Gate.WaitAsync(ct);
        probe.Record("Slow.end", m.Content);
    }

    // Blocks its thread (no await): the deadline must hold for it too.
    [OnText("block")]
    public void Block(TextMessage m)
    {
        probe.Record("Block.start", m.Content);
        if (!probe.Gate.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("the test never opened the gate");
        }

        probe.Record("Block.end", m.Content);
    }

    [OnText("later", Ack = WeChatAckMode.Immediately)]
    public async Task Later(TextMessage m, CancellationToken ct)
    {
        probe.Record("Later.start", m.Content);
        await probe.Gate.WaitAsync(ct);
        probe.Record("Later.end", m.Content);
    }

    [OnText("boom")]
    public void Boom(TextMessage m)
    {
        probe.Record("Boom", m.Content);
        throw new InvalidOperationException("handler failure for the test");
    }

    [OnText(Prefix = "parse ")]
    public void Parse(TextMessage m)
    {
        probe.Record("Parse");

        // A handler bug whose exception message quotes the push (int.Parse names the text it could not read).
        _ = int.Parse(m.Content["parse ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [OnText("flaky")]
    public void Flaky(TextMessage m)
    {
        probe.Record("Flaky", m.Content);
        if (Interlocked.Increment(ref probe.FlakyAttempts) == 1)
        {
            throw new InvalidOperationException("first attempt fails");
        }
    }

    [OnEvent("debug_demo")]
    public void Debug(WeChatEvent e) => probe.Record("Debug", e.GetField("debug_str"));

    [OnEvent("wxa_media_check")]
    public void MediaCheck(WxaMediaCheckEvent e) => probe.Record("MediaCheck", $"{e.TraceId}|{e.Version}|{e.Result?.Suggest}|{e.Detail.Count}");

    [OnEvent("user_enter_tempsession")]
    public void Enter(UserEnterTempSessionEvent e) => probe.Record("Enter", e.SessionFrom);

    [OnImage]
    public void Image(ImageMessage m) => probe.Record("Image", m.MediaId);

    // Catastrophic backtracking on "aaaa…!": the generated match timeout must bound it.
    [OnText(Pattern = "^(a+)+$")]
    public void OnlyAs(TextMessage m) => probe.Record("OnlyAs", m.Content);

    [OnText]
    public void AnyText(TextMessage m) => probe.Record("AnyText", m.Content);
}
