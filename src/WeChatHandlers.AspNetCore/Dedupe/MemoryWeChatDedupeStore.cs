using System.IO.Hashing;
using System.Numerics;
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
/// <para>
/// The index is an open-addressed table of slot numbers (linear probing, at most half full, deletion by backward
/// shift): each entry carries 32 bits of its key's hash, so a lookup reads one cache line of the index and then only the
/// slot that matches. A full store is far bigger than the processor's caches, and every line read there is a miss:
/// a general-purpose dictionary read three per lookup (bucket, entry, slot), this reads two.
/// </para>
/// </remarks>
public sealed class MemoryWeChatDedupeStore : IWeChatDedupeStore
{
    private const int ExpiredPerCall = 2;
    private const int None = -1;

    private const int MinIndexSize = 1 << 11;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _seed = Random.Shared.NextInt64();
    private Slot[] _slots;

    // Each entry: the low 32 bits of its key's hash (where it belongs, and a tag), then its slot number plus one; 0 is empty.
    private ulong[] _index;
    private int _count;
    private int _used;
    private int _free = None;
    private SlotList _leased = SlotList.Empty;
    private SlotList _done = SlotList.Empty;

    // Created only when a retry waits on a run: most messages are never retried.
    private Dictionary<UInt128, TaskCompletionSource>? _waiters;
    private long _steps;
    private long _probes;

    // The latest time any call ran at: a caller's own reading (see TryBegin) never moves the store's clock back.
    // A TimeProvider's timestamps may be negative: the clock starts below any of them.
    private long _now = long.MinValue;
    private long _evictedLive;

    /// <summary>Creates a store holding at most <paramref name="capacity"/> keys.</summary>
    public MemoryWeChatDedupeStore(TimeProvider time, int capacity = 100_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _capacity = capacity;
        _slots = new Slot[Math.Min(capacity, 1 << 10)];
        _index = new ulong[IndexSizeFor(_slots.Length)];
    }

    /// <summary>The number of keys held (done keys past their window included until they reach a list head).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Done keys evicted before their window ended because the store was full: retries of those may run again.</summary>
    public long EvictedBeforeExpiry => Interlocked.Read(ref _evictedLive);

    /// <summary>Work units done so far (index and list operations): what the capacity test measures.</summary>
    internal long Steps => Interlocked.Read(ref _steps);

    /// <summary>Index entries read or moved so far, beyond the first of each lookup: what the capacity test bounds too.</summary>
    internal long Probes => Interlocked.Read(ref _probes);

    /// <inheritdoc />
    public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
        => new(TryBegin(key, owner, lease, _time.GetTimestamp()));

    /// <summary>The store's clock, for a caller that passes its own readings of it (<see cref="TryBegin"/>, <see cref="Complete"/>).</summary>
    internal TimeProvider Time => _time;

    /// <summary>
    /// <see cref="TryBeginAsync"/> at <paramref name="now"/>, the caller's fresh reading of <see cref="Time"/>: the
    /// endpoint has just read the clock, and a second reading per call is a measurable part of a push.
    /// </summary>
    internal WeChatDedupeDecision TryBegin(string key, long owner, TimeSpan lease, long now)
    {
        var hash = Hash(key);
        lock (_gate)
        {
            now = Advance(now);
            DropExpired(now);
            return BeginLocked(hash, owner, lease, now, out _);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        lock (_gate)
        {
            _steps++;
            int i = Find(hash);
            if (i != None && !_slots[i].Done && _slots[i].Owner == owner)
            {
                _slots[i].ExpiresAt = Advance(_time.GetTimestamp()) + Ticks(lease);
                MoveToTail(ref _leased, i);
                return new(true);
            }

            return new(false);
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken)
    {
        Complete(key, owner, succeeded, window, _time.GetTimestamp());
        return ValueTask.CompletedTask;
    }

    /// <summary><see cref="CompleteAsync"/> at <paramref name="now"/>, the caller's fresh reading of <see cref="Time"/>.</summary>
    internal void Complete(string key, long owner, bool succeeded, TimeSpan window, long now)
    {
        var hash = Hash(key);
        TaskCompletionSource? waiters = null;
        lock (_gate)
        {
            now = Advance(now);
            _steps++;
            int i = Find(hash);
            bool held = i != None;
            if (succeeded)
            {
                if (!held)
                {
                    // Our lease ran out and was dropped while the handler still ran: the message is done all the same.
                    if (_count >= _capacity && !EvictOne(now))
                    {
                        return;
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
                Unindex(hash);
                Recycle(i);
            }
        }

        waiters?.TrySetResult();
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
                long now = Advance(_time.GetTimestamp());
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

    /// <summary>The time a call runs at: its reading, or the latest one any call ran at if that is later (under the lock).</summary>
    private long Advance(long now) => _now = Math.Max(_now, now);

    private WeChatDedupeDecision BeginLocked(UInt128 hash, long owner, TimeSpan lease, long now, out int holder)
    {
        _steps++;
        int found = Find(hash);
        if (found != None)
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
        if (_count >= _capacity && !EvictOne(now))
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
        Unindex(_slots[i].Key);
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
        Index(hash, i);
        return i;
    }

    /// <summary>The slot holding <paramref name="hash"/>, or <see cref="None"/>.</summary>
    private int Find(UInt128 hash)
    {
        var index = _index;
        int mask = index.Length - 1;
        uint bits = (uint)(ulong)hash;
        for (int p = (int)bits & mask; ; p = (p + 1) & mask)
        {
            ulong entry = index[p];
            if (entry == 0)
            {
                return None;
            }

            int slot = (int)(uint)entry - 1;
            if ((uint)(entry >> 32) == bits && _slots[slot].Key == hash)
            {
                return slot;
            }

            _probes++;
        }
    }

    private void Index(UInt128 hash, int slot)
    {
        if (2 * (_count + 1) > _index.Length)
        {
            Grow();
        }

        Place(_index, ((ulong)(uint)(ulong)hash << 32) | (uint)(slot + 1));
        _count++;
    }

    private void Place(ulong[] index, ulong entry)
    {
        int mask = index.Length - 1;
        int p = (int)(entry >> 32) & mask;
        while (index[p] != 0)
        {
            _probes++;
            p = (p + 1) & mask;
        }

        index[p] = entry;
    }

    /// <summary>Doubles the index (only while the slots grow towards the capacity: a full store never grows).</summary>
    private void Grow()
    {
        var old = _index;
        var grown = new ulong[old.Length * 2];
        foreach (ulong entry in old)
        {
            if (entry != 0)
            {
                Place(grown, entry);
            }
        }

        _index = grown;
    }

    /// <summary>Removes <paramref name="hash"/>'s entry; the entries after it in its run move back, so no probe ever needs a tombstone.</summary>
    private void Unindex(UInt128 hash)
    {
        var index = _index;
        int mask = index.Length - 1;
        uint bits = (uint)(ulong)hash;
        int hole = (int)bits & mask;
        while (true)
        {
            ulong entry = index[hole];
            if (entry == 0)
            {
                return;
            }

            if ((uint)(entry >> 32) == bits && _slots[(int)(uint)entry - 1].Key == hash)
            {
                break;
            }

            _probes++;
            hole = (hole + 1) & mask;
        }

        _count--;
        for (int p = (hole + 1) & mask; index[p] != 0; p = (p + 1) & mask)
        {
            // An entry may fill the hole unless it belongs between the hole and where it is now.
            _probes++;
            int home = (int)(index[p] >> 32) & mask;
            if (((p - home) & mask) >= ((p - hole) & mask))
            {
                index[hole] = index[p];
                hole = p;
            }
        }

        index[hole] = 0;
    }

    private static int IndexSizeFor(int slots) => Math.Max(MinIndexSize, (int)BitOperations.RoundUpToPowerOf2((uint)slots * 2));

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
