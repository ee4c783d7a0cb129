namespace WeChatHandlers.AspNetCore;

/// <summary>
/// Timeouts to a granularity: every call started within the same <c>granularity</c> shares one cancellation source
/// (and one timer), instead of each arming its own. A token fires between <c>timeout</c> and <c>timeout +
/// granularity</c> after the call took it, or when <c>shutdown</c> fires, whichever is first. On the
/// <see cref="TimeProvider"/>, like every other clock of the endpoint.
/// </summary>
/// <remarks>
/// Used for handler timeouts (to the second, with the host's shutdown deadline) and for every dedupe store call
/// (to a tenth of a second): neither needs more precision, and a timer per push is the cost they avoid.
/// </remarks>
internal sealed class CoarseTimeouts
{
    private readonly TimeSpan _fireAfter;
    private readonly long _granularity;
    private readonly TimeProvider _time;
    private readonly CancellationToken _shutdown;
    private Bucket? _current;

    public CoarseTimeouts(TimeSpan timeout, TimeSpan granularity, TimeProvider time, CancellationToken shutdown = default)
    {
        _time = time;
        _shutdown = shutdown;
        _fireAfter = timeout + granularity;
        _granularity = Math.Max(1, (long)(granularity.TotalSeconds * time.TimestampFrequency));
    }

    /// <summary>The most a token can take to fire after it was handed out: the timeout plus the granularity.</summary>
    public TimeSpan Bound => _fireAfter;

    public CancellationToken Current() => Current(_time.GetTimestamp());

    /// <summary>The token for a call starting at <paramref name="now"/>, a timestamp of the same clock the caller just read.</summary>
    public CancellationToken Current(long now)
    {
        var bucket = Volatile.Read(ref _current);
        if (bucket is null || now - bucket.Started >= _granularity)
        {
            var fresh = new Bucket(now, new CancellationTokenSource(_fireAfter, _time));

            // A lost race leaves one extra source that times out and is collected: no harm.
            if (Interlocked.CompareExchange(ref _current, fresh, bucket) == bucket)
            {
                fresh.Follow(_shutdown);
                bucket = fresh;
            }
            else
            {
                bucket = Volatile.Read(ref _current)!;
            }
        }

        return bucket.Source.Token;
    }

    private sealed class Bucket(long started, CancellationTokenSource source)
    {
        public long Started { get; } = started;

        public CancellationTokenSource Source { get; } = source;

        /// <summary>Cancels with <paramref name="shutdown"/>; the registration ends when the bucket's own timeout fires.</summary>
        public void Follow(CancellationToken shutdown)
        {
            if (!shutdown.CanBeCanceled)
            {
                return;
            }

            var registration = shutdown.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), Source);
            Source.Token.UnsafeRegister(static r => ((CancellationTokenRegistration)r!).Dispose(), registration);
        }
    }
}
