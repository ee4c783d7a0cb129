using System.Threading.Tasks.Sources;

namespace WeChatHandlers.Redis.Resp;

/// <summary>
/// A command waiting for its reply, reused: handed back to its connection's pool once the reply has been read.
/// Continuations run asynchronously, so no caller's code ever runs on the connection's read loop. A background command
/// (<see cref="RespConnection.TryExecuteInBackground"/>) has no awaiter: its callback takes the reply on the read loop.
/// </summary>
internal sealed class RespWaiter : IValueTaskSource<RespReply>
{
    private readonly RespConnection _owner;
    private ManualResetValueTaskSourceCore<RespReply> _core;

    public RespWaiter(RespConnection owner)
    {
        _owner = owner;
        _core.RunContinuationsAsynchronously = true;
    }

    /// <summary>When the command was written, on the connection's clock (the watchdog reads it).</summary>
    public long Sent { get; set; }

    public short Version => _core.Version;

    /// <summary>The background command's callback and its arguments; null for an awaited command.</summary>
    public IRespBackgroundReply? Background { get; private set; }

    private string? _backgroundKey;
    private object? _backgroundState;

    public void SetBackground(IRespBackgroundReply callback, string key, object state)
    {
        Background = callback;
        _backgroundKey = key;
        _backgroundState = state;
    }

    /// <summary>
    /// Hands a background command's outcome to its callback and the waiter back to the pool. The callback reports to the
    /// application (its log and metrics); should that throw, the exception goes where an unawaited task's goes
    /// (<see cref="TaskScheduler.UnobservedTaskException"/>), and the read loop or the failing connection, which every
    /// other command shares, goes on.
    /// </summary>
    public void CompleteBackground(RespReply reply, Exception? error)
    {
        var callback = Background!;
        var key = _backgroundKey!;
        var state = _backgroundState!;
        Background = null;
        _backgroundKey = null;
        _backgroundState = null;
        _owner.Return(this);
        try
        {
            callback.Completed(key, state, reply, error);
        }
        catch (Exception ex)
        {
            _ = Task.FromException(ex);
        }
    }

    public void SetResult(RespReply reply) => _core.SetResult(reply);

    public void SetException(Exception error) => _core.SetException(error);

    public RespReply GetResult(short token)
    {
        // A stale token or an early call throws here and leaves the waiter alone: it may still be queued for a reply.
        if (token != _core.Version || _core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            return _core.GetResult(token);
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _owner.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>
/// Takes a background command's reply on the connection's read loop, or the connection's failure on whichever thread
/// fails it (the read or send loop, the watchdog's timer, dispose): it must be quick, and should not throw.
/// </summary>
internal interface IRespBackgroundReply
{
    void Completed(string key, object state, RespReply reply, Exception? error);
}
