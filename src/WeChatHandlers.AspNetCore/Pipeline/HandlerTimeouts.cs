namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The token a handler runs with: cancelled at its timeout or when the host's shutdown deadline runs out, whichever
/// comes first. Timeouts are to the second: every handler started within the same second shares one cancellation
/// source (and one timer), instead of each arming its own and linking it to the shutdown deadline. A handler may run
/// up to one second past <see cref="WeChatCallbackOptions.HandlerTimeout"/>. On the <see cref="TimeProvider"/>, like
/// every other clock of the endpoint.
/// </summary>
internal sealed class HandlerTimeouts(TimeSpan timeout, TimeProvider time, CancellationToken shutdown)
{
    private Bucket? _current;

    public CancellationToken Current()
    {
        long now = time.GetTimestamp();
        var bucket = Volatile.Read(ref _current);
        if (bucket is null || now - bucket.Started >= time.TimestampFrequency)
        {
            var fresh = new Bucket(now, new CancellationTokenSource(timeout + TimeSpan.FromSeconds(1), time));

            // A lost race leaves one extra source that times out and is collected: no harm.
            if (Interlocked.CompareExchange(ref _current, fresh, bucket) == bucket)
            {
                fresh.FollowShutdown(shutdown);
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

        /// <summary>Cancels with the shutdown deadline; the registration ends when the bucket's own timeout fires.</summary>
        public void FollowShutdown(CancellationToken shutdown)
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
