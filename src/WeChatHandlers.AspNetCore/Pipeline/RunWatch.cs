namespace WeChatHandlers.AspNetCore;

/// <summary>
/// One timer for every handler run in flight: each tick renews the leases that are due and answers the runs whose
/// deadline has come (<see cref="HandlerRun.OnTick"/>). A run joins before its handler is invoked, so a handler that
/// blocks its thread is watched too, and leaves when it finishes.
/// </summary>
/// <remarks>
/// Joining and leaving are a lock and two links; no timer is created, changed or disposed per push. The timer runs
/// only while runs are in flight. A tick comes every twentieth of the shorter of the deadline and the renewal interval
/// (at most 100 ms, at least 1 ms), so a deadline is answered at most that late and a lease renewed well within its
/// time. On the <see cref="TimeProvider"/>, like every other clock of the endpoint.
/// </remarks>
internal sealed class RunWatch : IDisposable
{
    private static readonly TimerCallback s_onTick = static state => ((RunWatch)state!).Tick();

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly List<HandlerRun> _due = [];
    private HandlerRun? _head;
    private bool _armed;
    private bool _disposed;

    public RunWatch(TimeProvider time, TimeSpan deadline, TimeSpan renewEvery)
    {
        _time = time;
        long ticks = Math.Min(deadline.Ticks, renewEvery.Ticks) / 20;
        Period = TimeSpan.FromTicks(Math.Clamp(ticks, TimeSpan.TicksPerMillisecond, 100 * TimeSpan.TicksPerMillisecond));

        // No execution context is captured: the callback needs none.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(s_onTick, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The time between ticks while runs are in flight.</summary>
    public TimeSpan Period { get; }

    public void Join(HandlerRun run)
    {
        lock (_gate)
        {
            run.WatchNext = _head;
            if (_head is not null)
            {
                _head.WatchPrev = run;
            }

            _head = run;
            run.Watched = true;
            if (!_armed && !_disposed)
            {
                _armed = true;
                _timer.Change(Period, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Leave(HandlerRun run)
    {
        lock (_gate)
        {
            if (!run.Watched)
            {
                return;
            }

            if (run.WatchPrev is null)
            {
                _head = run.WatchNext;
            }
            else
            {
                run.WatchPrev.WatchNext = run.WatchNext;
            }

            if (run.WatchNext is not null)
            {
                run.WatchNext.WatchPrev = run.WatchPrev;
            }

            run.WatchPrev = null;
            run.WatchNext = null;
            run.Watched = false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _armed = false;
        }

        _timer.Dispose();
    }

    private void Tick()
    {
        // Ticks never overlap: the next one is armed only after this one is done.
        lock (_gate)
        {
            for (var run = _head; run is not null; run = run.WatchNext)
            {
                _due.Add(run);
            }
        }

        long now = _time.GetTimestamp();
        try
        {
            foreach (var run in _due)
            {
                run.OnTick(now);
            }
        }
        finally
        {
            _due.Clear();
            lock (_gate)
            {
                _armed = _head is not null && !_disposed;
                if (_armed)
                {
                    _timer.Change(Period, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }
}
