using WeChatHandlers.AspNetCore;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// Not the default: the memory dedupe store, except that a finished message's key is released instead of remembered.
/// Used only by the safe-mode rows, which must repeat a finite list of pre-encrypted messages (a load generator cannot
/// encrypt per request), so that every repeat is still a first delivery: the store claims the key (an insert), the
/// handler runs, the key is released (a removal). The plaintext rows give every request its own MsgId and run the
/// default store.
/// </summary>
public sealed class ForgetfulDedupeStore(TimeProvider time) : IWeChatDedupeStore
{
    private static long s_skipped;
    private readonly MemoryWeChatDedupeStore _inner = new(time);

    /// <summary>Requests that did not run the handler (a concurrent duplicate); the load script reports it.</summary>
    public static long Skipped => Interlocked.Read(ref s_skipped);

    public async ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var decision = await _inner.TryBeginAsync(key, owner, lease, cancellationToken).ConfigureAwait(false);
        if (decision != WeChatDedupeDecision.Run)
        {
            Interlocked.Increment(ref s_skipped);
        }

        return decision;
    }

    public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken) =>
        _inner.RenewAsync(key, owner, lease, cancellationToken);

    public ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken) =>
        _inner.CompleteAsync(key, owner, succeeded: false, window, cancellationToken);

    public ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.WaitAsync(key, owner, lease, timeout, cancellationToken);
}
