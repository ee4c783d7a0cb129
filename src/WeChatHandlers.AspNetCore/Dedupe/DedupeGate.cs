using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace WeChatHandlers.AspNetCore;

/// <summary>How a delivery may proceed, after asking the dedupe store.</summary>
internal enum ClaimOutcome
{
    /// <summary>This delivery holds the lease: run the handler.</summary>
    Run,

    /// <summary>The message is done: acknowledge.</summary>
    Done,

    /// <summary>A live run holds the lease (it renewed it while this delivery waited): acknowledging is the truth.</summary>
    OwnedByLiveRun,

    /// <summary>The store did not answer within its timeout or failed: refuse with 503 so WeChat retries.</summary>
    StoreFailed,
}

/// <summary>
/// The endpoint's side of the dedupe store: owner ids, the lease, and a timeout on every store call, so a store that
/// hangs (Redis down) costs a push at most <see cref="WeChatCallbackOptions.DedupeStoreTimeout"/> (plus a tenth of a
/// second) per call. The timeouts are coarse (<see cref="CoarseTimeouts"/>): no timer is armed per call. The default
/// memory store answers under its lock and cannot hang: it is called directly, with the endpoint's clock readings.
/// </summary>
internal sealed class DedupeGate : IDoneMarkFailures
{
    // Owner ids must differ across every instance sharing a store: a random base per process, then a counter.
    private static readonly long s_ownerBase = RandomNumberGenerator.GetInt32(int.MaxValue) * (1L << 31);
    private long _nextOwner;

    private readonly IWeChatDedupeStore _store;
    private readonly WeChatCallbackOptions _options;
    private readonly TimeProvider _time;
    private readonly WeChatCallbackMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CoarseTimeouts _timeouts;

    // The default store, when it runs on the endpoint's clock: called with the endpoint's own readings of it.
    private readonly MemoryWeChatDedupeStore? _memory;

    public DedupeGate(IWeChatDedupeStore store, WeChatCallbackOptions options, TimeProvider time, WeChatCallbackMetrics metrics, ILogger logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _timeouts = new CoarseTimeouts(options.DedupeStoreTimeout, TimeSpan.FromMilliseconds(100), time);
        _memory = store is MemoryWeChatDedupeStore memory && ReferenceEquals(memory.Time, time) ? memory : null;
    }

    public TimeSpan Lease => _options.DedupeLease;

    /// <summary>How often a running handler's lease is renewed: three times per lease, so one late renewal does not lose it.</summary>
    public TimeSpan RenewEvery => _options.DedupeLease / 3;

    public long NewOwner() => s_ownerBase + Interlocked.Increment(ref _nextOwner);

    /// <summary>
    /// Claims the message, or waits (within the handler deadline, counted from <paramref name="arrived"/>) while a live
    /// run holds it: a dead owner's lease runs out meanwhile and this delivery takes the message over. <paramref name="now"/>
    /// is the caller's fresh reading of the clock, which the store call's timeout runs from.
    /// </summary>
    public async ValueTask<ClaimOutcome> ClaimAsync(string key, long owner, long arrived, long now, CancellationToken cancellationToken)
    {
        WeChatDedupeDecision decision;
        try
        {
            if (_memory is { } memory)
            {
                decision = memory.TryBegin(key, owner, Lease, now);
            }
            else
            {
                // Bounded here rather than through BoundAsync: a store that goes to the network (Redis) answers every
                // claim asynchronously, and one state machine less is one allocation and one continuation less a push.
                var timeout = _timeouts.Current(now);
                var claiming = _store.TryBeginAsync(key, owner, Lease, cancellationToken);
                if (claiming.IsCompletedSuccessfully)
                {
                    decision = claiming.Result;
                }
                else
                {
                    var call = claiming.AsTask();
                    try
                    {
                        decision = await call.WaitAsync(timeout).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (timeout.IsCancellationRequested && !call.IsCompleted)
                    {
                        throw TimedOut();
                    }
                }
            }

            if (decision == WeChatDedupeDecision.InFlight)
            {
                var left = _options.HandlerDeadline - _time.GetElapsedTime(arrived);
                if (left < TimeSpan.Zero)
                {
                    left = TimeSpan.Zero;
                }

                // Waiting has its own bound (the deadline left, plus the store's timeout): a rare path, timed exactly.
                var waiting = _store.WaitAsync(key, owner, Lease, left, cancellationToken);
                decision = waiting.IsCompletedSuccessfully
                    ? waiting.Result
                    : await waiting.AsTask().WaitAsync(left + _options.DedupeStoreTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Counted once, by the refusal that follows (wechat.requests.rejected{reason=dedupe_store_unavailable}).
            Log.DedupeStoreFailed(_logger, "claim", key, ex, "the push is refused with 503 so WeChat retries");
            return ClaimOutcome.StoreFailed;
        }

        return decision switch
        {
            WeChatDedupeDecision.Run => ClaimOutcome.Run,
            WeChatDedupeDecision.Done => ClaimOutcome.Done,
            _ => ClaimOutcome.OwnedByLiveRun,
        };
    }

    /// <summary>
    /// Records a run's outcome. A store that fails here is logged and counted but does not turn a finished handler into
    /// a failure: the lease then runs out, so a retry (if WeChat sends one) runs again rather than being lost.
    /// </summary>
    public ValueTask CompleteAsync(string key, long owner, bool succeeded) => CompleteAsync(key, owner, succeeded, _time.GetTimestamp());

    /// <summary>As <see cref="CompleteAsync(string, long, bool)"/>, from the caller's fresh reading of the clock (the store call's timeout runs from it).</summary>
    public async ValueTask CompleteAsync(string key, long owner, bool succeeded, long now)
    {
        try
        {
            if (_memory is { } memory)
            {
                memory.Complete(key, owner, succeeded, _options.DedupeWindow, now);
                return;
            }

            var timeout = _timeouts.Current(now);
            await BoundedAsync(_store.CompleteAsync(key, owner, succeeded, _options.DedupeWindow, CancellationToken.None), timeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.StoreFailed(succeeded ? "complete" : "release");
            Log.DedupeStoreFailed(_logger, succeeded ? "record the outcome of" : "release", key, ex, "a retry may run the handler again");
        }
    }

    /// <summary>
    /// Records a successful run without holding up its answer (<see cref="CompleteAsync(string, long, bool, long)"/>
    /// never faults: it logs and counts its own failures). A store that sends done marks without a task
    /// (<see cref="IBackgroundDoneMarks"/>, the Redis store over its own client) reports failures to
    /// <see cref="IDoneMarkFailures.DoneMarkFailed"/>, logged and counted alike.
    /// </summary>
    public void CompleteInBackground(string key, long owner, long now)
    {
        if (_memory is null && _store is IBackgroundDoneMarks marks && marks.TryMarkDone(key, _options.DedupeWindow, this))
        {
            return;
        }

        var completing = CompleteAsync(key, owner, succeeded: true, now);
        if (!completing.IsCompleted)
        {
            _ = completing.AsTask();
        }
    }

    void IDoneMarkFailures.DoneMarkFailed(string key, Exception error)
    {
        _metrics.StoreFailed("complete");
        Log.DedupeStoreFailed(_logger, "record the outcome of", key, error, "a retry may run the handler again");
    }

    /// <summary>Renews the lease; false when it was lost. A store failure is logged and counted, and the run goes on.</summary>
    public async ValueTask<bool> RenewAsync(string key, long owner)
    {
        try
        {
            var timeout = _timeouts.Current();
            return await BoundedAsync(_store.RenewAsync(key, owner, Lease, CancellationToken.None), timeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.StoreFailed("renew");
            Log.DedupeStoreFailed(_logger, "renew the lease of", key, ex, "the handler goes on; renewal is tried again");
            return true;
        }
    }

    // The timeout is taken before the store is called, so that it runs from the call, not from when the call returned.
    private ValueTask<T> BoundedAsync<T>(ValueTask<T> call, CancellationToken timeout) =>
        call.IsCompletedSuccessfully ? new(call.Result) : new(BoundAsync(call.AsTask(), timeout));

    private ValueTask BoundedAsync(ValueTask call, CancellationToken timeout) =>
        call.IsCompletedSuccessfully ? ValueTask.CompletedTask : new(BoundAsync(call.AsTask(), timeout));

    private async Task<T> BoundAsync<T>(Task<T> call, CancellationToken timeout)
    {
        try
        {
            return await call.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !call.IsCompleted)
        {
            throw TimedOut();
        }
    }

    private async Task BoundAsync(Task call, CancellationToken timeout)
    {
        try
        {
            await call.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !call.IsCompleted)
        {
            throw TimedOut();
        }
    }

    private TimeoutException TimedOut() =>
        new($"The dedupe store did not answer within {_options.DedupeStoreTimeout.TotalMilliseconds:F0} ms.");
}
