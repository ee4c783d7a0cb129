using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// One handler run: owns the message (and releases it) until the handler finishes, however long that takes; keeps the
/// message's dedupe lease alive while it runs; and, for a run WeChat waits on, answers within the deadline.
/// </summary>
/// <remarks>
/// The run joins the endpoint's <see cref="RunWatch"/> before the handler is invoked, so a handler that blocks its
/// thread is bounded too: the watch's ticks renew the lease every third of it and, at the deadline, answer
/// <c>success</c> (the run owns a live lease, so that is the truth). Whoever answers first wins one
/// <see cref="Interlocked"/> exchange on the answer state, and only the winner writes the response.
/// <para>
/// The run is also the provider handed to the dispatcher: the message's DI scope is created on the first service asked
/// for, so a static handler, or one that takes only its message, costs no scope at all. The scope lives until the run
/// ends, as before; a service asked for after that finds it disposed.
/// </para>
/// </remarks>
internal sealed class HandlerRun : IServiceProvider, IKeyedServiceProvider
{
    // Marks the scope slot once the run has ended: no scope is created after that.
    private static readonly IServiceScope s_ended = new EndedScope();

    private const int Unanswered = 0;
    private const int AnsweredByHandler = 1;
    private const int AnsweredAtDeadline = 2;

    private readonly RunContext _context;
    private readonly InboundMessage _message;
    private readonly WeChatRoute _route;
    private readonly string _key;
    private readonly string _msgType;
    private readonly long _owner;
    private HttpContext? _http;
    private long _deadlineAt = long.MaxValue;
    private long _renewAt;
    private bool _finished;
    private volatile bool _completing;
    private int _answer;
    private int _renewing;
    private TaskCompletionSource? _deadlineAnswered;
    private bool _malformed;
    private IServiceScope? _scope;

    public HandlerRun(RunContext context, InboundMessage message, WeChatRoute route, string key, string msgType, long owner)
    {
        _context = context;
        _message = message;
        _route = route;
        _key = key;
        _msgType = msgType;
        _owner = owner;
    }

    /// <summary>The neighbours of this run in the watch's list of runs in flight (guarded by the watch).</summary>
    internal HandlerRun? WatchPrev;

    /// <inheritdoc cref="WatchPrev"/>
    internal HandlerRun? WatchNext;

    /// <summary>Whether the run is in the watch's list (guarded by the watch).</summary>
    internal bool Watched;

    /// <summary>What a transfer reply needs, read before the message's buffers go back to the pool.</summary>
    public ReplyFields? ReplyFields { get; private set; }

    /// <summary>
    /// Runs the handler and answers WeChat: with the handler's reply when it finishes within the deadline, else with
    /// <c>success</c> at the deadline while the handler goes on.
    /// </summary>
    public async Task RespondAsync(HttpContext http, long arrived, QueryValue nonce)
    {
        _http = http;
        _deadlineAt = arrived + Ticks(_context.Options.HandlerDeadline);

        // One reading of the clock for the lease's first renewal, the handler's timeout and its duration.
        long started = _context.Time.GetTimestamp();
        Arm(started);

        var run = RunAsync(started);
        if (!run.IsCompleted)
        {
            var running = run.AsTask();
            await Task.WhenAny(running, DeadlineAnswered().Task).ConfigureAwait(false);
            if (!running.IsCompleted || Volatile.Read(ref _answer) == AnsweredAtDeadline)
            {
                await DeadlineAnswered().Task.ConfigureAwait(false);
                Activity.Current?.SetTag("wechat.deadline_overrun", true);
                return;
            }

            run = new ValueTask<WeChatDispatchResult?>(running);
        }

        var outcome = await run.ConfigureAwait(false);
        if (Interlocked.CompareExchange(ref _answer, AnsweredByHandler, Unanswered) != Unanswered)
        {
            // The deadline won while the handler held this thread: its answer is being written.
            await DeadlineAnswered().Task.ConfigureAwait(false);
            Activity.Current?.SetTag("wechat.deadline_overrun", true);
            return;
        }

        if (outcome is not { } result)
        {
            if (_malformed)
            {
                // The handler's type could not be bound from this push: a 400, as for any malformed push.
                await _context.Replies.WriteRefusalAsync(http, Refusals.Get(RefusalReason.MalformedPayload)).ConfigureAwait(false);
                return;
            }

            if (_context.Options.ReturnServerErrorOnHandlerFailure)
            {
                ReplyWriter.WriteStatus(http, StatusCodes.Status500InternalServerError);
                return;
            }

            await _context.Replies.WriteSuccessAsync(http, _key).ConfigureAwait(false);
            return;
        }

        await _context.Replies.WriteReplyAsync(http, result.Reply, ReplyFields, nonce, _key).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues the run for after the answer (<see cref="WeChatAckMode.Immediately"/>). The lease is renewed from now on,
    /// queued time included. False when the queue is full: nothing ran and the caller still owns the message.
    /// </summary>
    public bool TryQueue()
    {
        Arm(_context.Time.GetTimestamp());
        if (_context.Queue.TryEnqueue(RunDetachedAsync))
        {
            return true;
        }

        Disarm();
        return false;
    }

    private async Task RunDetachedAsync() => await RunAsync(_context.Time.GetTimestamp()).ConfigureAwait(false);

    /// <summary>
    /// Runs the handler; returns null when it failed or its message could not be bound (logged, counted, lease released so
    /// a retry runs again). <paramref name="started"/> is a fresh reading of the clock: the handler's timeout and its
    /// duration run from it.
    /// </summary>
    private async ValueTask<WeChatDispatchResult?> RunAsync(long started)
    {
        var c = _context;
        var cancellation = c.Timeouts.Current(started);
        try
        {
            // The payload is read in place (a large struct): never copied into this method's state.
            var context = new WeChatContext
            {
                AppId = _message.Account!.AppId,
                Format = _message.Payload.Format,
                IsEncrypted = _message.Encrypted,
                Payload = _message.Payload.Data,
            };
            var result = await c.Dispatcher.InvokeAsync(_route, _message.Payload, context, this, cancellation).ConfigureAwait(false);
            if (result.Reply.Kind == WeChatReplyKind.TransferToCustomerService)
            {
                ReplyFields = new(
                    _message.Account!,
                    _message.Payload.Format,
                    _message.Encrypted,
                    _message.Payload.GetString(WeChatField.ToUserName),
                    _message.Payload.GetString(WeChatField.FromUserName));
            }

            long finished = c.Time.GetTimestamp();
            var elapsed = c.Time.GetElapsedTime(started, finished);
            c.Metrics.Handled(_route.HandlerName);
            c.Metrics.Duration(_route.HandlerName, elapsed);
            Log.Handled(c.Logger, _msgType, _key, _route.HandlerName, elapsed.TotalMilliseconds);

            // Renewals stop. The answer does not wait for the done mark: until the mark replaces it, this run's lease
            // holds the message, so a retry meanwhile waits for the mark instead of running again. The gate logs and
            // counts a mark that fails; the lease then runs out, as when this process dies here.
            _completing = true;
            c.Dedupe.CompleteInBackground(_key, _owner, finished);
            return result;
        }
        catch (WeChatPayloadException ex)
        {
            // The generated binder refused the push (a missing required member, a value that does not convert) before
            // the handler ran: a refusal, counted and logged as one, and the lease released (nothing ran).
            _malformed = true;
            var refusal = Refusals.Get(RefusalReason.MalformedPayload);
            c.Metrics.Rejected(refusal.Tag);
            Log.Rejected(c.Logger, refusal);
            Log.RejectedCause(c.Logger, refusal, ex.Message);
            _completing = true;
            await c.Dedupe.CompleteAsync(_key, _owner, succeeded: false).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex)
        {
            // Never shown to WeChat: logged with the message key and counted; the lease is released so a retry runs again.
            long failed = c.Time.GetTimestamp();
            c.Metrics.Failed(_route.HandlerName);
            c.Metrics.Duration(_route.HandlerName, c.Time.GetElapsedTime(started, failed));
            Log.HandlerFailed(c.Logger, ex, _route.HandlerName, _key);
            _completing = true;
            await c.Dedupe.CompleteAsync(_key, _owner, succeeded: false, failed).ConfigureAwait(false);
            return null;
        }
        finally
        {
            Disarm();
            if (Interlocked.Exchange(ref _scope, s_ended) is { } scope)
            {
                await new AsyncServiceScope(scope).DisposeAsync().ConfigureAwait(false);
            }

            _message.Dispose();
        }
    }

    object? IServiceProvider.GetService(Type serviceType) => Services().GetService(serviceType);

    object? IKeyedServiceProvider.GetKeyedService(Type serviceType, object? serviceKey) => KeyedServices().GetKeyedService(serviceType, serviceKey);

    object IKeyedServiceProvider.GetRequiredKeyedService(Type serviceType, object? serviceKey) => KeyedServices().GetRequiredKeyedService(serviceType, serviceKey);

    /// <summary>The message's scope, created by the first caller (a handler may resolve from several threads).</summary>
    private IServiceProvider Services()
    {
        var scope = Volatile.Read(ref _scope);
        if (scope is null)
        {
            var fresh = _context.Scopes.CreateScope();
            scope = Interlocked.CompareExchange(ref _scope, fresh, null);
            if (scope is null)
            {
                return fresh.ServiceProvider;
            }

            fresh.Dispose();
        }

        ObjectDisposedException.ThrowIf(ReferenceEquals(scope, s_ended), typeof(IServiceProvider));
        return scope.ServiceProvider;
    }

    private IKeyedServiceProvider KeyedServices() =>
        Services() as IKeyedServiceProvider ?? throw new InvalidOperationException("This service provider doesn't support keyed services.");

    private void Arm(long now)
    {
        _renewAt = now + Ticks(_context.Dedupe.RenewEvery);
        _context.Watch.Join(this);
    }

    private void Disarm()
    {
        // The run itself is the monitor (internal, never locked elsewhere): no lock object allocated per push.
        lock (this)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
        }

        _context.Watch.Leave(this);
    }

    /// <summary>Called by the watch on every tick while the run is in flight: answers at the deadline, renews the lease when due.</summary>
    internal void OnTick(long now)
    {
        HttpContext? answer = null;
        bool renew = false;
        lock (this)
        {
            if (_finished)
            {
                return;
            }

            if (_http is { } http && now >= _deadlineAt && Interlocked.CompareExchange(ref _answer, AnsweredAtDeadline, Unanswered) == Unanswered)
            {
                answer = http;
            }

            if (!_completing && now >= _renewAt && Interlocked.Exchange(ref _renewing, 1) == 0)
            {
                _renewAt = now + Ticks(_context.Dedupe.RenewEvery);
                renew = true;
            }
        }

        if (answer is not null)
        {
            _context.Metrics.Overrun(_route.HandlerName);
            Log.DeadlineOverrun(_context.Logger, _route.HandlerName, _key, _context.Options.HandlerDeadline.TotalMilliseconds);
            _ = AnswerAtDeadlineAsync(answer);
        }

        if (renew)
        {
            _ = RenewAsync();
        }
    }

    private async Task AnswerAtDeadlineAsync(HttpContext http)
    {
        try
        {
            await _context.Replies.WriteSuccessAndCompleteAsync(http, _key).ConfigureAwait(false);
        }
        finally
        {
            DeadlineAnswered().TrySetResult();
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            if (!await _context.Dedupe.RenewAsync(_key, _owner).ConfigureAwait(false) && !_completing)
            {
                // Taken over after it ran out (this process stalled past the lease): a second run may have started.
                _context.Metrics.LeaseLost();
                Log.LeaseLost(_context.Logger, _key);
            }
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private TaskCompletionSource DeadlineAnswered()
    {
        var signal = Volatile.Read(ref _deadlineAnswered);
        if (signal is not null)
        {
            return signal;
        }

        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return Interlocked.CompareExchange(ref _deadlineAnswered, fresh, null) ?? fresh;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _context.Time.TimestampFrequency);

    private sealed class EndedScope : IServiceScope
    {
        public IServiceProvider ServiceProvider => throw new ObjectDisposedException(nameof(IServiceProvider));

        public void Dispose()
        {
        }
    }
}
