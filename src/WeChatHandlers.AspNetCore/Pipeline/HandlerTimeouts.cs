namespace WeChatHandlers.AspNetCore;

/// <summary>
/// Handler timeouts to the second: every handler started within the same second shares one cancellation timer,
/// instead of each arming its own. A handler may run up to one second past <see cref="WeChatCallbackOptions.HandlerTimeout"/>.
/// On the <see cref="TimeProvider"/>, like every other clock of the endpoint.
/// </summary>
internal sealed class HandlerTimeouts(TimeSpan timeout, TimeProvider time)
{
    private Bucket? _current;

    public CancellationToken Current()
    {
        long now = time.GetTimestamp();
        var bucket = Volatile.Read(ref _current);
        if (bucket is null || now - bucket.Started >= time.TimestampFrequency)
        {
            var fresh = new Bucket(now, new CancellationTokenSource(timeout + TimeSpan.FromSeconds(1), time));

            // A lost race leaves one extra timer that fires and is collected: no harm.
            bucket = Interlocked.CompareExchange(ref _current, fresh, bucket) == bucket ? fresh : Volatile.Read(ref _current)!;
        }

        return bucket.Source.Token;
    }

    private sealed record Bucket(long Started, CancellationTokenSource Source);
}
