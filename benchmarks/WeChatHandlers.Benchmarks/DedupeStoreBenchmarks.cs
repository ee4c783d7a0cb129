using BenchmarkDotNet.Attributes;
using WeChatHandlers.AspNetCore;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// The default memory dedupe store under a steady stream of first deliveries: one claim and one completion per push,
/// the store full (every push evicts the oldest done key), as it stays on a busy endpoint. A full store of 100,000
/// keys is far bigger than the processor's caches, so this measures cache misses as much as instructions.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("stores")]
public class DedupeStorePush
{
    private const int Keys = 1 << 20;
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(5);

    private MemoryWeChatDedupeStore _store = null!;
    private string[] _keys = null!;
    private int _next;

    [Params(100_000)]
    public int Capacity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new MemoryWeChatDedupeStore(TimeProvider.System, Capacity);
        _keys = new string[Keys];
        for (int i = 0; i < Keys; i++)
        {
            _keys[i] = "app|m|" + (1_000_000_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Filled past capacity before the first measured push.
        for (int i = 0; i < 2 * Capacity; i++)
        {
            Push();
        }
    }

    [Benchmark(Description = "Claim + complete, store full")]
    public WeChatDedupeDecision Push()
    {
        // Keys come back after a million pushes, long after they were evicted: each push is a first delivery.
        string key = _keys[_next++ & (Keys - 1)];
        var decision = _store.TryBeginAsync(key, 1, s_lease, default).Result;
        _ = _store.CompleteAsync(key, 1, succeeded: true, s_window, default);
        return decision;
    }
}
