using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace WeChatHandlers.Api;

/// <summary>The in-process <see cref="ICustomerServiceWindowTracker"/>: bounded, evicting windows long over.</summary>
internal sealed class CustomerServiceWindowTracker : ICustomerServiceWindowTracker
{
    // A window that closed is still worth remembering for a while (a send would fail), but not forever.
    internal static readonly TimeSpan RetentionAfterExpiry = TimeSpan.FromHours(48);

    // Sweep for long-expired entries once per this many new users, so memory stays bounded without a timer.
    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<(string AppId, string OpenId), Entry> _entries = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly Lock _sweepLock = new();
    private int _insertsSinceSweep;

    public CustomerServiceWindowTracker(IOptions<WeChatApiOptions> options, TimeProvider time)
    {
        _time = time;
        _capacity = options.Value.MaxTrackedWindows;
    }

    internal int Count => _entries.Count;

    public void OnUserMessage(string appId, string openId, DateTimeOffset at)
        => Reset(appId, openId, at, CustomerServiceWindowOrigin.UserMessage,
            CustomerServiceWindow.UserMessageQuota, CustomerServiceWindow.UserMessageValidity);

    public void OnSessionEntered(string appId, string openId, DateTimeOffset at)
        => Reset(appId, openId, at, CustomerServiceWindowOrigin.SessionEntered,
            CustomerServiceWindow.SessionEnteredQuota, CustomerServiceWindow.SessionEnteredValidity);

    public CustomerServiceWindow? GetWindow(string appId, string openId)
    {
        if (!_entries.TryGetValue((appId, openId), out var entry))
        {
            return null;
        }

        lock (entry)
        {
            return entry.Snapshot();
        }
    }

    public CustomerServiceWindowReservation TryReserveSend(string appId, string openId)
    {
        if (!_entries.TryGetValue((appId, openId), out var entry))
        {
            return new CustomerServiceWindowReservation(CustomerServiceWindowState.Unknown, null, 0);
        }

        var now = _time.GetUtcNow();
        lock (entry)
        {
            if (now >= entry.ExpiresAt)
            {
                return new CustomerServiceWindowReservation(CustomerServiceWindowState.Over, entry.Snapshot(), entry.Version);
            }

            if (entry.Remaining <= 0)
            {
                return new CustomerServiceWindowReservation(CustomerServiceWindowState.Spent, entry.Snapshot(), entry.Version);
            }

            entry.Remaining--;
            return new CustomerServiceWindowReservation(CustomerServiceWindowState.Reserved, entry.Snapshot(), entry.Version);
        }
    }

    public void CancelReservation(string appId, string openId, CustomerServiceWindowReservation reservation)
    {
        if (reservation.State != CustomerServiceWindowState.Reserved || !_entries.TryGetValue((appId, openId), out var entry))
        {
            return;
        }

        lock (entry)
        {
            // A reset since the reservation already restored the full quota; giving one back would exceed it.
            if (entry.Version == reservation.Version && entry.Remaining < entry.Quota)
            {
                entry.Remaining++;
            }
        }
    }

    public void OnSendRefused(string appId, string openId, int errorCode)
    {
        if (errorCode is not (WeChatErrorCodes.ReplyWindowOver or WeChatErrorCodes.ReplyCountExceeded))
        {
            return;
        }

        var now = _time.GetUtcNow();

        // A user first seen in WeChat's refusal: 45015 says the window is over; 45047 says it is open but spent, until
        // the user's next message (which resets it) or, at the latest, the longest window's end.
        var end = errorCode == WeChatErrorCodes.ReplyCountExceeded ? now + CustomerServiceWindow.UserMessageValidity : now;
        var entry = _entries.GetOrAdd((appId, openId), static (_, end) => new Entry(end), end);
        lock (entry)
        {
            entry.Remaining = 0;
            if (errorCode == WeChatErrorCodes.ReplyWindowOver && entry.ExpiresAt > now)
            {
                entry.ExpiresAt = now;
            }

            entry.Version++;
        }

        AfterInsert();
    }

    private void Reset(string appId, string openId, DateTimeOffset at, CustomerServiceWindowOrigin origin, int quota, TimeSpan validity)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentException.ThrowIfNullOrEmpty(openId);
        var entry = _entries.GetOrAdd((appId, openId), static (_, at) => new Entry(at), at);
        lock (entry)
        {
            // Pushes can arrive out of order (retries, several instances); an older action must not reset a newer one.
            if (at < entry.LastActionAt)
            {
                return;
            }

            entry.LastActionAt = at;
            entry.Origin = origin;
            entry.Quota = quota;
            entry.Remaining = quota;
            var end = at + validity;
            if (end > entry.ExpiresAt)
            {
                entry.ExpiresAt = end;
            }

            entry.Version++;
        }

        AfterInsert();
    }

    private void AfterInsert()
    {
        if (_entries.Count <= _capacity && Interlocked.Increment(ref _insertsSinceSweep) % SweepEvery != 0)
        {
            return;
        }

        Sweep();
    }

    internal void Sweep()
    {
        lock (_sweepLock)
        {
            var now = _time.GetUtcNow();
            foreach (var (key, entry) in _entries)
            {
                if (entry.ExpiresAt + RetentionAfterExpiry <= now)
                {
                    _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry));
                }
            }

            if (_entries.Count <= _capacity)
            {
                return;
            }

            // Still over capacity: forget the windows closing soonest. Forgetting is safe: unknown users are let through.
            var target = Math.Max(0, _capacity - (_capacity / 10));
            var excess = _entries.Count - target;
            foreach (var (key, entry) in _entries.OrderBy(static e => e.Value.ExpiresAt).Take(excess).ToList())
            {
                _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry));
            }
        }
    }

    private sealed class Entry(DateTimeOffset created)
    {
        public CustomerServiceWindowOrigin Origin;
        public int Quota;
        public int Remaining;
        public DateTimeOffset ExpiresAt = created;
        public DateTimeOffset LastActionAt = DateTimeOffset.MinValue;
        public long Version;

        public CustomerServiceWindow Snapshot() => new(Origin, Remaining, ExpiresAt);
    }
}
