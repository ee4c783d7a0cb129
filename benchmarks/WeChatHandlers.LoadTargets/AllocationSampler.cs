using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

/// <summary>
/// Samples what the server allocates, by type: the runtime reports one allocation per ~100 KB allocated
/// (GCAllocationTick), with its type name and the bytes since the last report. Enabled with WECHAT_ALLOC_SAMPLE=1;
/// <c>GET /allocations</c> lists the types by their share. Off by default: listening costs a little per tick.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTick = 10;
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    public static AllocationSampler? Start() =>
        Environment.GetEnvironmentVariable("WECHAT_ALLOC_SAMPLE") == "1" ? new AllocationSampler() : null;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // Keyword GC (0x1) at Verbose carries the allocation ticks.
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventId != AllocationTick || e.PayloadNames is not { } names || e.Payload is not { } payload)
        {
            return;
        }

        int type = names.IndexOf("TypeName");
        int amount = names.IndexOf("AllocationAmount64");
        if (type >= 0 && amount >= 0 && payload[type] is string name && payload[amount] is ulong bytes)
        {
            _bytes.AddOrUpdate(name, (long)bytes, (_, total) => total + (long)bytes);
        }
    }

    /// <summary>One line per type: its share of the sampled bytes, largest first.</summary>
    public string Report()
    {
        var rows = _bytes.ToArray();
        long total = Math.Max(1, rows.Sum(r => r.Value));
        return string.Join('\n', rows.OrderByDescending(r => r.Value).Take(40).Select(r => $"{100.0 * r.Value / total,5:F1}% {r.Value >> 20,6} MB {r.Key}")) + '\n';
    }
}
