using WeChatHandlers.AspNetCore;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// The default memory dedupe store, except that a message's key is released when the message completes instead of
/// being remembered. The load repeats a finite list of pre-signed messages (safe-mode bodies cannot be made up per
/// request), and the endpoint's shortest dedupe window is 60 s; remembered keys would turn every repeat into the cheap
/// "already done" answer. Released keys make every request a first delivery: the store claims the key (an insert),
/// the handler runs, the key is released (a removal), which is the same store work a real first delivery does.
/// </summary>
public sealed class ForgetfulDedupeStore(TimeProvider time) : IWeChatDedupeStore
{
    private static long s_skipped;
    private readonly MemoryWeChatDedupeStore _inner = new(time);

    /// <summary>Requests that did not run the handler (a concurrent duplicate); the load script reports it.</summary>
    public static long Skipped => Interlocked.Read(ref s_skipped);

    public async ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var decision = await _inner.TryBeginAsync(key, ttl, cancellationToken).ConfigureAwait(false);
        if (decision != WeChatDedupeDecision.Run)
        {
            Interlocked.Increment(ref s_skipped);
        }

        return decision;
    }

    public ValueTask CompleteAsync(string key, bool succeeded, TimeSpan ttl, CancellationToken cancellationToken) =>
        _inner.CompleteAsync(key, succeeded: false, ttl, cancellationToken);

    public ValueTask<WeChatDedupeDecision> WaitAsync(string key, TimeSpan ttl, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.WaitAsync(key, ttl, timeout, cancellationToken);
}
