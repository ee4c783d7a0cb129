using System.Runtime.InteropServices;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The default dedupe store: one process, bounded, O(1) per call at any fill level.
/// </summary>
/// <remarks>
/// Keys live in one dictionary and in one of two lists in time order: live leases by their last renewal, done keys by
/// completion. Every call first drops at most two expired keys from each list head, and an insert into a full store
/// evicts the oldest done key (or a lease that ran out, whose owner is gone); a live lease is never evicted, so a
/// store full of live leases refuses the claim (<see cref="WeChatDedupeStoreException"/>, a 503 so WeChat retries).
/// Nothing walks the whole store. Entries are recycled, so a full store allocates nothing per push.
/// </remarks>
public sealed class MemoryWeChatDedupeStore : IWeChatDedupeStore
{
    private const int ExpiredPerCall = 2;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly EntryList _leased = new();
    private readonly EntryList _done = new();
    private Entry? _free;
    private long _steps;
    private long _evictedLive;

    /// <summary>Creates a store holding at most <paramref name="capacity"/> keys.</summary>
    public MemoryWeChatDedupeStore(TimeProvider time, int capacity = 100_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _capacity = capacity;
        _entries = new Dictionary<string, Entry>(Math.Min(capacity, 1 << 16), StringComparer.Ordinal);
    }

    /// <summary>The number of keys held (done keys past their window included until they reach a list head).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Done keys evicted before their window ended because the store was full: retries of those may run again.</summary>
    public long EvictedBeforeExpiry => Interlocked.Read(ref _evictedLive);

    /// <summary>Work units done so far (dictionary and list operations): what the capacity test measures.</summary>
    internal long Steps => Interlocked.Read(ref _steps);

    /// <inheritdoc />
    public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            DropExpired(now);
            return new(BeginLocked(key, owner, lease, now, out _));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            _steps++;
            if (_entries.TryGetValue(key, out var entry) && !entry.Done && entry.Owner == owner)
            {
                entry.ExpiresAt = _time.GetTimestamp() + Ticks(lease);
                _leased.MoveToTail(entry);
                return new(true);
            }

            return new(false);
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        TaskCompletionSource? waiters = null;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            _steps++;
            _entries.TryGetValue(key, out var entry);
            if (succeeded)
            {
                if (entry is null)
                {
                    // Our lease ran out and was dropped while the handler still ran: the message is done all the same.
                    if (_entries.Count >= _capacity && !EvictOne(now))
                    {
                        return ValueTask.CompletedTask;
                    }

                    entry = Rent(key);
                    _entries.Add(key, entry);
                }
                else if (!entry.Done)
                {
                    _leased.Remove(entry);
                }
                else
                {
                    _done.Remove(entry);
                }

                entry.Done = true;
                entry.ExpiresAt = now + Ticks(window);
                _done.AddTail(entry);
                waiters = entry.TakeWaiters();
            }
            else if (entry is { Done: false } && entry.Owner == owner)
            {
                waiters = entry.TakeWaiters();
                _leased.Remove(entry);
                _entries.Remove(key);
                Recycle(entry);
            }
        }

        waiters?.TrySetResult();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        long deadline = _time.GetTimestamp() + Ticks(timeout);
        while (true)
        {
            Task finished;
            long wake;
            lock (_gate)
            {
                long now = _time.GetTimestamp();
                DropExpired(now);
                var decision = BeginLocked(key, owner, lease, now, out var holder);
                if (decision != WeChatDedupeDecision.InFlight || now >= deadline)
                {
                    return decision;
                }

                finished = holder!.Waiters().Task;

                // Wake when the run finishes, when its lease would run out unless renewed, or at the timeout.
                wake = Math.Min(holder.ExpiresAt, deadline) - now;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(TimeSpan.FromSeconds(Math.Max(wake, 1) / (double)_time.TimestampFrequency), _time, stop.Token);
            await Task.WhenAny(finished, delay).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private WeChatDedupeDecision BeginLocked(string key, long owner, TimeSpan lease, long now, out Entry? holder)
    {
        _steps++;
        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, key);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            var entry = slot;
            holder = entry;
            if (entry.ExpiresAt > now)
            {
                return entry.Done ? WeChatDedupeDecision.Done : WeChatDedupeDecision.InFlight;
            }

            // Done past its window, or a lease whose owner stopped renewing: this delivery takes the key over.
            (entry.Done ? _done : _leased).Remove(entry);
            entry.Done = false;
            entry.Owner = owner;
            entry.ExpiresAt = now + Ticks(lease);
            _leased.AddTail(entry);
            return WeChatDedupeDecision.Run;
        }

        holder = null;
        if (_entries.Count >= _capacity && !EvictOne(now))
        {
            throw new WeChatDedupeStoreException($"The memory dedupe store holds {_capacity} live leases; raise WeChat:DedupeCapacity.");
        }

        var fresh = Rent(key);
        fresh.Owner = owner;
        fresh.ExpiresAt = now + Ticks(lease);
        _entries.Add(key, fresh);
        _leased.AddTail(fresh);
        return WeChatDedupeDecision.Run;
    }

    /// <summary>Drops at most a few expired keys from each list head: bounded work per call, and together with every call it keeps pace.</summary>
    private void DropExpired(long now)
    {
        for (int i = 0; i < ExpiredPerCall && _done.Head is { } done && done.ExpiresAt <= now; i++)
        {
            Drop(_done, done);
        }

        // A lease that ran out belongs to a dead (or stalled) owner; a waiter is woken to take the message over.
        for (int i = 0; i < ExpiredPerCall && _leased.Head is { } leased && leased.ExpiresAt <= now; i++)
        {
            var waiters = leased.TakeWaiters();
            Drop(_leased, leased);
            waiters?.TrySetResult();
        }
    }

    /// <summary>Makes room for one key: the oldest done key, else a lease that ran out. Never a live lease.</summary>
    private bool EvictOne(long now)
    {
        if (_done.Head is { } done)
        {
            if (done.ExpiresAt > now)
            {
                Interlocked.Increment(ref _evictedLive);
            }

            Drop(_done, done);
            return true;
        }

        if (_leased.Head is { } leased && leased.ExpiresAt <= now)
        {
            var waiters = leased.TakeWaiters();
            Drop(_leased, leased);
            waiters?.TrySetResult();
            return true;
        }

        return false;
    }

    private void Drop(EntryList list, Entry entry)
    {
        _steps++;
        list.Remove(entry);
        _entries.Remove(entry.Key);
        Recycle(entry);
    }

    private Entry Rent(string key)
    {
        var entry = _free;
        if (entry is null)
        {
            return new Entry(key);
        }

        _free = entry.Next;
        entry.Next = null;
        entry.Key = key;
        return entry;
    }

    private void Recycle(Entry entry)
    {
        entry.Key = string.Empty;
        entry.Done = false;
        entry.Owner = 0;
        entry.Prev = null;
        entry.Next = _free;
        _free = entry;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed class Entry(string key)
    {
        public string Key = key;
        public long Owner;
        public long ExpiresAt;
        public bool Done;
        public Entry? Prev;
        public Entry? Next;

        // Created only when a retry waits: most messages are never retried.
        private TaskCompletionSource? _waiters;

        public TaskCompletionSource Waiters() => _waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource? TakeWaiters()
        {
            var waiters = _waiters;
            _waiters = null;
            return waiters;
        }
    }

    /// <summary>An intrusive doubly linked list: add at the tail, remove anywhere, in O(1).</summary>
    private sealed class EntryList
    {
        public Entry? Head;
        private Entry? _tail;

        public void AddTail(Entry entry)
        {
            entry.Prev = _tail;
            entry.Next = null;
            if (_tail is null)
            {
                Head = entry;
            }
            else
            {
                _tail.Next = entry;
            }

            _tail = entry;
        }

        public void Remove(Entry entry)
        {
            if (entry.Prev is null)
            {
                Head = entry.Next;
            }
            else
            {
                entry.Prev.Next = entry.Next;
            }

            if (entry.Next is null)
            {
                _tail = entry.Prev;
            }
            else
            {
                entry.Next.Prev = entry.Prev;
            }

            entry.Prev = null;
            entry.Next = null;
        }

        public void MoveToTail(Entry entry)
        {
            if (!ReferenceEquals(entry, _tail))
            {
                Remove(entry);
                AddTail(entry);
            }
        }
    }
}
