using System.Collections.Concurrent;

namespace WeChatHandlers.AspNetCore;

/// <summary>What to do with a message, given what the dedupe store knows of its key.</summary>
public enum WeChatDedupeDecision
{
    /// <summary>First delivery (or a retry after a failure): run the handler.</summary>
    Run,

    /// <summary>Another delivery of this message is being handled now.</summary>
    InFlight,

    /// <summary>This message was handled already: acknowledge without running anything.</summary>
    Done,
}

/// <summary>
/// Remembers which messages were handled so that WeChat's retries run each handler once.
/// Keys move from in flight to done, or are released on failure so the next retry runs again.
/// </summary>
public interface IWeChatDedupeStore
{
    /// <summary>Atomically claims <paramref name="key"/> if nobody holds it.</summary>
    ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Marks the key done (remembered for <paramref name="ttl"/>) or releases it after a failure.</summary>
    ValueTask CompleteAsync(string key, bool succeeded, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for an in-flight key to finish. Returns <see cref="WeChatDedupeDecision.Done"/>
    /// when it succeeded, <see cref="WeChatDedupeDecision.Run"/> when it failed and this caller now holds the key,
    /// or <see cref="WeChatDedupeDecision.InFlight"/> when it is still running.
    /// </summary>
    ValueTask<WeChatDedupeDecision> WaitAsync(string key, TimeSpan ttl, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>The default store: one process, bounded, entries expire after their time to live.</summary>
public sealed class MemoryWeChatDedupeStore : IWeChatDedupeStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private int _sinceSweep;

    /// <summary>Creates a store holding at most <paramref name="capacity"/> keys.</summary>
    public MemoryWeChatDedupeStore(TimeProvider time, int capacity = 100_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _capacity = capacity;
    }

    /// <summary>The number of keys held (expired ones included until the next sweep).</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        long now = _time.GetTimestamp();
        MaybeSweep(now);
        while (true)
        {
            var fresh = new Entry(now + ToTicks(ttl));
            var existing = _entries.GetOrAdd(key, fresh);
            if (ReferenceEquals(existing, fresh))
            {
                return new(WeChatDedupeDecision.Run);
            }

            if (existing.ExpiresAt > now)
            {
                return new(existing.Succeeded ? WeChatDedupeDecision.Done : WeChatDedupeDecision.InFlight);
            }

            // Expired: replace it, unless another caller did first.
            if (_entries.TryUpdate(key, fresh, existing))
            {
                return new(WeChatDedupeDecision.Run);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string key, bool succeeded, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (succeeded)
            {
                entry.ExpiresAt = _time.GetTimestamp() + ToTicks(ttl);
                entry.Succeeded = true;
            }
            else
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }

            entry.MarkFinished();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> WaitAsync(string key, TimeSpan ttl, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out var entry) && !entry.Succeeded)
        {
            try
            {
                await entry.WhenFinished().WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return WeChatDedupeDecision.InFlight;
            }
        }

        return await TryBeginAsync(key, ttl, cancellationToken).ConfigureAwait(false);
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private void MaybeSweep(long now)
    {
        if (_entries.Count < _capacity && Interlocked.Increment(ref _sinceSweep) % 1024 != 0)
        {
            return;
        }

        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _entries.TryRemove(pair);
            }
        }

        // Still full of live keys: forget the finished ones first, since in-flight keys guard running handlers.
        if (_entries.Count >= _capacity)
        {
            foreach (var pair in _entries)
            {
                if (pair.Value.Succeeded && _entries.Count >= _capacity)
                {
                    _entries.TryRemove(pair);
                }
            }
        }
    }

    private sealed class Entry(long expiresAt)
    {
        public long ExpiresAt = expiresAt;
        public volatile bool Succeeded;
        private volatile bool _finished;

        // Created only when a retry waits: most messages are never retried.
        private TaskCompletionSource? _waiters;

        public Task WhenFinished()
        {
            var waiters = _waiters ?? Interlocked.CompareExchange(ref _waiters, new(TaskCreationOptions.RunContinuationsAsynchronously), null) ?? _waiters!;
            if (_finished)
            {
                waiters.TrySetResult();
            }

            return waiters.Task;
        }

        public void MarkFinished()
        {
            _finished = true;
            _waiters?.TrySetResult();
        }
    }
}
