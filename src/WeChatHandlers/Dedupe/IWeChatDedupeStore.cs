namespace WeChatHandlers;

/// <summary>What to do with a delivery, given what the dedupe store knows of its message's key.</summary>
public enum WeChatDedupeDecision
{
    /// <summary>The caller now holds the key's lease: run the handler. A first delivery, a retry after a failure, or a take-over from an owner whose lease ran out.</summary>
    Run,

    /// <summary>Another run holds a live lease on the key (its owner is renewing it).</summary>
    InFlight,

    /// <summary>The message was handled already: acknowledge without running anything.</summary>
    Done,
}

/// <summary>
/// Remembers which messages were handled so that WeChat's retries run each handler once, and never loses one whose
/// run died. A key is in flight under a short lease that its owner renews while the handler runs; when the owner dies
/// its lease runs out and a later delivery takes the message over. A finished message is done for the dedupe window;
/// a failed one is released so the next retry runs it again.
/// </summary>
/// <remarks>
/// <para>
/// <c>owner</c> identifies one run across every instance sharing the store (the endpoint draws it from a per-process
/// random base and a counter). Only the owner renews or releases its lease.
/// </para>
/// <para>
/// Implementations throw (any exception) when the store cannot answer; the endpoint bounds every call by
/// <c>DedupeStoreTimeout</c>, refuses the push with 503 so WeChat retries, logs one line and counts it.
/// </para>
/// </remarks>
public interface IWeChatDedupeStore
{
    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="owner"/> for <paramref name="lease"/> unless it is done or
    /// held by a live lease. A key whose lease ran out is taken over.
    /// </summary>
    ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Extends <paramref name="owner"/>'s lease on <paramref name="key"/> to <paramref name="lease"/> from now.
    /// Returns false when the lease is no longer the owner's (taken over after it ran out, or the key is gone).
    /// </summary>
    ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Records the run's outcome: done, remembered for <paramref name="window"/> (whoever holds the key: the message
    /// was handled), or, after a failure, the owner's lease released so that the next delivery runs again.
    /// </summary>
    ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> while another run holds a live lease. Returns
    /// <see cref="WeChatDedupeDecision.Done"/> when it finished, <see cref="WeChatDedupeDecision.Run"/> when the key
    /// became free (a failure, or a dead owner's lease ran out) and <paramref name="owner"/> now holds it, or
    /// <see cref="WeChatDedupeDecision.InFlight"/> when a live run still holds it at the timeout.
    /// </summary>
    ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>A dedupe store could not answer (unreachable, timed out, or full of live leases).</summary>
public sealed class WeChatDedupeStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeChatDedupeStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public WeChatDedupeStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public WeChatDedupeStoreException()
    {
    }
}
