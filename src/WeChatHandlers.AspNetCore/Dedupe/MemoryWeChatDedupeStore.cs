using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The default dedupe store: one process, bounded, O(1) per call at any fill level.
/// </summary>
/// <remarks>
/// <para>
/// Keys live in one index and in one of two lists in time order: live leases by their last renewal, done keys by
/// completion. Every call first drops at most two expired keys from each list head, and an insert into a full store
/// evicts the oldest done key (or a lease that ran out, whose owner is gone); a live lease is never evicted, so a
/// store full of live leases refuses the claim (<see cref="WeChatDedupeStoreException"/>, a 503 so WeChat retries).
/// Nothing walks the whole store.
/// </para>
/// <para>
/// The store holds no object references: a key is kept as its 128-bit XxHash128 (seeded at random per store), and
/// entries are structs in one array whose lists link by index. A full store of 100,000 keys is a few megabytes the
/// garbage collector never has to scan, and a push past capacity allocates nothing.
/// </para>
/// </remarks>
public sealed class MemoryWeChatDedupeStore : IWeChatDedupeStore
{
    private const int ExpiredPerCall = 2;
    private const int None = -1;

    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, int> _index;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _seed = Random.Shared.NextInt64();
    private Slot[] _slots;
    private int _used;
    private int _free = None;
    private SlotList _leased = SlotList.Empty;
    private SlotList _done = SlotList.Empty;

    // Created only when a retry waits on a run: most messages are never retried.
    private Dictionary<UInt128, TaskCompletionSource>? _waiters;
    private long _steps;
    private long _evictedLive;

    /// <summary>Creates a store holding at most <paramref name="capacity"/> keys.</summary>
    public MemoryWeChatDedupeStore(TimeProvider time, int capacity = 100_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _capacity = capacity;
        _index = new Dictionary<UInt128, int>(Math.Min(capacity, 1 << 16));
        _slots = new Slot[Math.Min(capacity, 1 << 10)];
    }

    /// <summary>The number of keys held (done keys past their window included until they reach a list head).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>Done keys evicted before their window ended because the store was full: retries of those may run again.</summary>
    public long EvictedBeforeExpiry => Interlocked.Read(ref _evictedLive);

    /// <summary>Work units done so far (index and list operations): what the capacity test measures.</summary>
    internal long Steps => Interlocked.Read(ref _steps);

    /// <inheritdoc />
    public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            DropExpired(now);
            return new(BeginLocked(hash, owner, lease, now, out _));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        lock (_gate)
        {
            _steps++;
            if (_index.TryGetValue(hash, out int i) && !_slots[i].Done && _slots[i].Owner == owner)
            {
                _slots[i].ExpiresAt = _time.GetTimestamp() + Ticks(lease);
                MoveToTail(ref _leased, i);
                return new(true);
            }

            return new(false);
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        TaskCompletionSource? waiters = null;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            _steps++;
            bool held = _index.TryGetValue(hash, out int i);
            if (succeeded)
            {
                if (!held)
                {
                    // Our lease ran out and was dropped while the handler still ran: the message is done all the same.
                    if (_index.Count >= _capacity && !EvictOne(now))
                    {
                        return ValueTask.CompletedTask;
                    }

                    i = Rent(hash);
                }
                else
                {
                    Remove(ref _slots[i].Done ? ref _done : ref _leased, i);
                }

                ref var slot = ref _slots[i];
                slot.Done = true;
                slot.ExpiresAt = now + Ticks(window);
                AddTail(ref _done, i);
                waiters = TakeWaiters(i);
            }
            else if (held && !_slots[i].Done && _slots[i].Owner == owner)
            {
                waiters = TakeWaiters(i);
                Remove(ref _leased, i);
                _index.Remove(hash);
                Recycle(i);
            }
        }

        waiters?.TrySetResult();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        long deadline = _time.GetTimestamp() + Ticks(timeout);
        while (true)
        {
            Task finished;
            long wake;
            lock (_gate)
            {
                long now = _time.GetTimestamp();
                DropExpired(now);
                var decision = BeginLocked(hash, owner, lease, now, out int holder);
                if (decision != WeChatDedupeDecision.InFlight || now >= deadline)
                {
                    return decision;
                }

                _waiters ??= [];
                _slots[holder].HasWaiters = true;
                finished = (CollectionsMarshal.GetValueRefOrAddDefault(_waiters, hash, out _)
                    ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

                // Wake when the run finishes, when its lease would run out unless renewed, or at the timeout.
                wake = Math.Min(_slots[holder].ExpiresAt, deadline) - now;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(TimeSpan.FromSeconds(Math.Max(wake, 1) / (double)_time.TimestampFrequency), _time, stop.Token);
            await Task.WhenAny(finished, delay).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private WeChatDedupeDecision BeginLocked(UInt128 hash, long owner, TimeSpan lease, long now, out int holder)
    {
        _steps++;
        ref int found = ref CollectionsMarshal.GetValueRefOrNullRef(_index, hash);
        if (!Unsafe.IsNullRef(ref found))
        {
            holder = found;
            ref var slot = ref _slots[holder];
            if (slot.ExpiresAt > now)
            {
                return slot.Done ? WeChatDedupeDecision.Done : WeChatDedupeDecision.InFlight;
            }

            // Done past its window, or a lease whose owner stopped renewing: this delivery takes the key over.
            Remove(ref slot.Done ? ref _done : ref _leased, holder);
            slot.Done = false;
            slot.Owner = owner;
            slot.ExpiresAt = now + Ticks(lease);
            AddTail(ref _leased, holder);
            return WeChatDedupeDecision.Run;
        }

        holder = None;
        if (_index.Count >= _capacity && !EvictOne(now))
        {
            throw new WeChatDedupeStoreException($"The memory dedupe store holds {_capacity} live leases; raise WeChat:DedupeCapacity.");
        }

        int fresh = Rent(hash);
        _slots[fresh].Owner = owner;
        _slots[fresh].ExpiresAt = now + Ticks(lease);
        AddTail(ref _leased, fresh);
        return WeChatDedupeDecision.Run;
    }

    /// <summary>Drops at most a few expired keys from each list head: bounded work per call, and together with every call it keeps pace.</summary>
    private void DropExpired(long now)
    {
        for (int n = 0; n < ExpiredPerCall && _done.Head != None && _slots[_done.Head].ExpiresAt <= now; n++)
        {
            Drop(ref _done, _done.Head);
        }

        // A lease that ran out belongs to a dead (or stalled) owner; a waiter is woken to take the message over.
        for (int n = 0; n < ExpiredPerCall && _leased.Head != None && _slots[_leased.Head].ExpiresAt <= now; n++)
        {
            var waiters = TakeWaiters(_leased.Head);
            Drop(ref _leased, _leased.Head);
            waiters?.TrySetResult();
        }
    }

    /// <summary>Makes room for one key: the oldest done key, else a lease that ran out. Never a live lease.</summary>
    private bool EvictOne(long now)
    {
        if (_done.Head != None)
        {
            if (_slots[_done.Head].ExpiresAt > now)
            {
                Interlocked.Increment(ref _evictedLive);
            }

            Drop(ref _done, _done.Head);
            return true;
        }

        if (_leased.Head != None && _slots[_leased.Head].ExpiresAt <= now)
        {
            var waiters = TakeWaiters(_leased.Head);
            Drop(ref _leased, _leased.Head);
            waiters?.TrySetResult();
            return true;
        }

        return false;
    }

    private void Drop(ref SlotList list, int i)
    {
        _steps++;
        Remove(ref list, i);
        _index.Remove(_slots[i].Key);
        Recycle(i);
    }

    /// <summary>Takes a free slot for <paramref name="hash"/> and indexes it; the caller links it into a list.</summary>
    private int Rent(UInt128 hash)
    {
        int i = _free;
        if (i != None)
        {
            _free = _slots[i].Next;
        }
        else
        {
            if (_used == _slots.Length)
            {
                Array.Resize(ref _slots, (int)Math.Min(_capacity, 2L * _slots.Length));
            }

            i = _used++;
        }

        _slots[i] = new Slot { Key = hash, Prev = None, Next = None };
        _index.Add(hash, i);
        return i;
    }

    private void Recycle(int i)
    {
        _slots[i] = new Slot { Prev = None, Next = _free };
        _free = i;
    }

    private TaskCompletionSource? TakeWaiters(int i)
    {
        ref var slot = ref _slots[i];
        if (!slot.HasWaiters)
        {
            return null;
        }

        slot.HasWaiters = false;
        _waiters!.Remove(slot.Key, out var waiters);
        return waiters;
    }

    private void AddTail(ref SlotList list, int i)
    {
        ref var slot = ref _slots[i];
        slot.Prev = list.Tail;
        slot.Next = None;
        if (list.Tail == None)
        {
            list.Head = i;
        }
        else
        {
            _slots[list.Tail].Next = i;
        }

        list.Tail = i;
    }

    private void Remove(ref SlotList list, int i)
    {
        ref var slot = ref _slots[i];
        if (slot.Prev == None)
        {
            list.Head = slot.Next;
        }
        else
        {
            _slots[slot.Prev].Next = slot.Next;
        }

        if (slot.Next == None)
        {
            list.Tail = slot.Prev;
        }
        else
        {
            _slots[slot.Next].Prev = slot.Prev;
        }

        slot.Prev = None;
        slot.Next = None;
    }

    private void MoveToTail(ref SlotList list, int i)
    {
        if (list.Tail != i)
        {
            Remove(ref list, i);
            AddTail(ref list, i);
        }
    }

    private UInt128 Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(key.AsSpan()), _seed);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>One key: its hash, its state, and its place in the leased or done list (indexes into the slot array).</summary>
    private struct Slot
    {
        public UInt128 Key;
        public long Owner;
        public long ExpiresAt;
        public int Prev;
        public int Next;
        public bool Done;
        public bool HasWaiters;
    }

    /// <summary>The ends of one list threaded through the slots.</summary>
    private struct SlotList
    {
        public static readonly SlotList Empty = new() { Head = None, Tail = None };

        public int Head;
        public int Tail;
    }
}
