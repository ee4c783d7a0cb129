using System.Net.Sockets;
using StackExchange.Redis;

namespace WeChatHandlers.Redis.Resp;

/// <summary>
/// One socket to Redis, shared by every caller and pipelined: a command is appended to an output buffer under a lock
/// and its waiter queued in the same order; the caller that finds no send in progress queues one on the thread pool,
/// behind the work already queued there, and that send takes everything appended until it runs, so the commands of one
/// batch of requests leave in one write. One read loop matches replies to waiters in order. The first fault (a send or read error, a protocol error, a reply later than the command timeout) closes the
/// connection and fails every waiting command; the connection is never reused after that.
/// </summary>
internal sealed class RespConnection : IThreadPoolWorkItem
{
    private const int PoolLimit = 256;
    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly long _timeoutTicks;
    private readonly TimeSpan _timeout;
    private readonly object _gate = new();
    private readonly Queue<RespWaiter> _pending = new();
    private readonly Stack<RespWaiter> _pool = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _watchdog;
    private byte[] _output = new byte[4096];
    private byte[]? _spare = new byte[4096];
    private int _outputLength;
    private bool _sending;
    private Exception? _failure;
    private TaskCompletionSource? _drained;

    public RespConnection(Socket socket, TimeProvider time, TimeSpan timeout)
    {
        _socket = socket;
        _time = time;
        _timeout = timeout;
        _timeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var period = timeout / 4 < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : timeout / 4;
        _watchdog = time.CreateTimer(static state => ((RespConnection)state!).Watch(), this, period, period);
        _ = ReadLoopAsync();
    }

    /// <summary>Completes when the connection has failed or was closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>False once the connection has failed or was closed.</summary>
    public bool IsOpen => Volatile.Read(ref _failure) is null;

    /// <summary>Why the connection closed; null while it is open.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Waits until every command sent has its reply (or the connection has failed), at most <paramref name="bound"/>.</summary>
    public async Task DrainAsync(TimeSpan bound)
    {
        Task drained;
        lock (_gate)
        {
            if (_pending.Count == 0 || _failure is not null)
            {
                return;
            }

            drained = (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        try
        {
            await drained.WaitAsync(bound, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The replies did not come within the bound: the caller closes the connection, which fails what is left.
        }
    }

    /// <summary>Sends a command; the reply (an error reply included) or the connection's failure completes it.</summary>
    public ValueTask<RespReply> ExecuteAsync(ReadOnlySpan<RespArg> args)
    {
        RespWaiter waiter;
        short version;
        bool send;
        lock (_gate)
        {
            if (_failure is { } failure)
            {
                return ValueTask.FromException<RespReply>(Lost(failure));
            }

            waiter = Enqueue(args, out send);
            version = waiter.Version;
        }

        if (send)
        {
            QueueSend();
        }

        return new ValueTask<RespReply>(waiter, version);
    }

    /// <summary>
    /// Sends a command whose reply nobody awaits: <paramref name="callback"/> takes it on the read loop, or the
    /// connection's failure (the watchdog's timeout included) where the connection fails, with <paramref name="key"/>
    /// and <paramref name="state"/>. False, with nothing sent, when the connection has failed.
    /// </summary>
    public bool TryExecuteInBackground(ReadOnlySpan<RespArg> args, IRespBackgroundReply callback, string key, object state)
    {
        bool send;
        lock (_gate)
        {
            if (_failure is not null)
            {
                return false;
            }

            Enqueue(args, out send).SetBackground(callback, key, state);
        }

        if (send)
        {
            QueueSend();
        }

        return true;
    }

    // Under _gate: appends the command and queues its waiter; send is true when no send is in progress (the caller then queues one).
    private RespWaiter Enqueue(ReadOnlySpan<RespArg> args, out bool send)
    {
        Append(args);
        var waiter = _pool.Count > 0 ? _pool.Pop() : new RespWaiter(this);
        waiter.Sent = _time.GetTimestamp();
        _pending.Enqueue(waiter);
        send = !_sending;
        _sending = true;
        return waiter;
    }

    // The send runs once the work already queued has run: commands that the requests in flight issue meanwhile
    // (on a busy server, those of one batch of arrivals or one batch of replies) leave in the same write.
    private void QueueSend() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute() => _ = SendAsync();

    /// <summary>Closes the connection; waiting commands fail.</summary>
    public void Close(Exception reason) => Fail(reason);

    internal void Return(RespWaiter waiter)
    {
        lock (_gate)
        {
            if (_pool.Count < PoolLimit)
            {
                _pool.Push(waiter);
            }
        }
    }

    // Under _gate.
    private void Append(ReadOnlySpan<RespArg> args)
    {
        int most = 16;
        foreach (ref readonly var arg in args)
        {
            most += arg.MaxLength;
        }

        if (_output.Length - _outputLength < most)
        {
            Array.Resize(ref _output, Math.Max(_output.Length * 2, _outputLength + most));
        }

        var destination = _output.AsSpan(_outputLength);
        destination[0] = (byte)'*';
        args.Length.TryFormat(destination[1..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        int at = 1 + digits;
        destination[at++] = (byte)'\r';
        destination[at++] = (byte)'\n';
        foreach (ref readonly var arg in args)
        {
            at += arg.Write(destination[at..]);
        }

        _outputLength += at;
    }

    private async Task SendAsync()
    {
        try
        {
            while (true)
            {
                byte[] buffer;
                int length;
                lock (_gate)
                {
                    if (_outputLength == 0 || _failure is not null)
                    {
                        _sending = false;
                        return;
                    }

                    buffer = _output;
                    length = _outputLength;
                    _output = _spare ?? new byte[buffer.Length];
                    _spare = null;
                    _outputLength = 0;
                }

                for (int sent = 0; sent < length;)
                {
                    sent += await _socket.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None).ConfigureAwait(false);
                }

                lock (_gate)
                {
                    _spare = buffer;
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[8192];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }

                int received = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    throw new RedisConnectionException(ConnectionFailureType.SocketClosed, "Redis closed the connection.");
                }

                end += received;
                while (start < end && RespParser.TryRead(buffer.AsSpan(start, end - start), out var reply, out int consumed))
                {
                    start += consumed;
                    Deliver(reply);
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Deliver(RespReply reply)
    {
        RespWaiter? waiter;
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            _pending.TryDequeue(out waiter);
            if (_pending.Count == 0 && _drained is not null)
            {
                drained = _drained;
                _drained = null;
            }
        }

        if (waiter is null)
        {
            throw new InvalidDataException("Redis sent a reply to no command.");
        }

        if (waiter.Background is not null)
        {
            waiter.CompleteBackground(reply, null);
        }
        else
        {
            waiter.SetResult(reply);
        }

        drained?.TrySetResult();
        if (reply.Kind == RespKind.Error && IsMisdirected(reply.Text))
        {
            // This server no longer takes the store's writes (a cluster slot moved, a primary was demoted): the command
            // has its error, and the connection is opened again, its handshake checking the server it reaches then.
            Fail(new RedisConnectionException(ConnectionFailureType.ProtocolFailure, $"Redis answered '{reply.Text}'; the connection is opened again."));
        }
    }

    private static bool IsMisdirected(string? error) =>
        error is not null && (error.StartsWith("MOVED ", StringComparison.Ordinal) || error.StartsWith("ASK ", StringComparison.Ordinal)
            || error.StartsWith("READONLY", StringComparison.Ordinal) || error.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || error.StartsWith("CLUSTERDOWN", StringComparison.Ordinal));

    private void Watch()
    {
        bool late;
        lock (_gate)
        {
            late = _pending.TryPeek(out var oldest) && _time.GetTimestamp() - oldest.Sent > _timeoutTicks;
        }

        if (late)
        {
            Fail(new RedisTimeoutException($"Redis did not answer a command within {_timeout.TotalMilliseconds:F0} ms; the connection is closed and opened again.", CommandStatus.Sent));
        }
    }

    private void Fail(Exception reason)
    {
        RespWaiter[] waiting;
        lock (_gate)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = reason;
            waiting = _pending.ToArray();
            _pending.Clear();
        }

        _watchdog.Dispose();
        _socket.Dispose();
        TaskCompletionSource? drained;
        lock (_gate)
        {
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetResult();
        foreach (var waiter in waiting)
        {
            if (waiter.Background is not null)
            {
                waiter.CompleteBackground(default, Lost(reason));
            }
            else
            {
                waiter.SetException(Lost(reason));
            }
        }

        _closed.TrySetResult();
    }

    // A fresh exception per command: one exception object rethrown by several awaiters would mix their stack traces.
    private static RedisConnectionException Lost(Exception reason) =>
        new(reason is RedisTimeoutException ? ConnectionFailureType.ConnectionDisposed : ConnectionFailureType.SocketFailure,
            "The connection to Redis failed: " + reason.Message, reason);
}
