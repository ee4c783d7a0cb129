using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The endpoint's instruments, on the meter <c>WeChatHandlers</c>, and its <see cref="ActivitySource"/>
/// (<c>WeChatHandlers</c>, one span per message).
/// </summary>
public sealed class WeChatCallbackMetrics
{
    /// <summary>The meter and activity source name.</summary>
    public const string Name = "WeChatHandlers";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _received;
    private readonly Counter<long> _handled;
    private readonly Counter<long> _unhandled;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _overruns;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _storeFailures;
    private readonly Counter<long> _leasesLost;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public WeChatCallbackMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _received = meter.CreateCounter<long>("wechat.messages.received", "{message}", "Pushes accepted, by message type and format.");
        _handled = meter.CreateCounter<long>("wechat.messages.handled", "{message}", "Messages a handler completed.");
        _unhandled = meter.CreateCounter<long>("wechat.messages.unhandled", "{message}", "Messages no handler claimed.");
        _duplicates = meter.CreateCounter<long>("wechat.messages.duplicates", "{message}", "Retries acknowledged without running a handler.");
        _rejected = meter.CreateCounter<long>("wechat.requests.rejected", "{request}", "Requests refused, by reason.");
        _failed = meter.CreateCounter<long>("wechat.handlers.failed", "{message}", "Handler runs that threw.");
        _overruns = meter.CreateCounter<long>("wechat.handlers.deadline_overruns", "{message}", "Handlers still running when WeChat had to be answered.");
        _duration = meter.CreateHistogram<double>("wechat.handlers.duration", "s", "Handler run time.");
        _storeFailures = meter.CreateCounter<long>("wechat.dedupe.store_failures", "{call}", "Dedupe store calls that failed or timed out after a handler started, by operation (renew, complete, release); a failed claim is a refusal instead.");
        _leasesLost = meter.CreateCounter<long>("wechat.dedupe.leases_lost", "{message}", "Runs whose lease ran out and was taken over while they still ran.");
    }

    // Tag values are objects: boxed once here rather than on every message.
    private static readonly object s_true = true;
    private static readonly object s_false = false;

    internal void Received(string msgType, WeChatFormat format, bool encrypted)
    {
        if (_received.Enabled)
        {
            _received.Add(1, new("msg_type", msgType), new("format", format == WeChatFormat.Xml ? "xml" : "json"), new("encrypted", encrypted ? s_true : s_false));
        }
    }

    internal void Handled(string handler) => _handled.Add(1, new KeyValuePair<string, object?>("handler", handler));

    internal void Unhandled() => _unhandled.Add(1);

    internal void Duplicate() => _duplicates.Add(1);

    internal void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void Failed(string handler) => _failed.Add(1, new KeyValuePair<string, object?>("handler", handler));

    internal void Overrun(string handler) => _overruns.Add(1, new KeyValuePair<string, object?>("handler", handler));

    internal void StoreFailed(string operation) => _storeFailures.Add(1, new KeyValuePair<string, object?>("operation", operation));

    internal void LeaseLost() => _leasesLost.Add(1);

    internal void Duration(string handler, TimeSpan elapsed) => _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("handler", handler));
}
