using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The request path behind <c>MapWeChatCallback</c>, one step per file: <see cref="PushOpener"/> (query, account, body,
/// signatures, decryption, scan), <see cref="DedupeGate"/> (the message's lease), <see cref="HandlerRun"/> (the handler
/// within its deadline), <see cref="ReplyWriter"/> (every answer), <see cref="Refusals"/> (every refusal). This file
/// only puts them in order.
/// </summary>
internal sealed class WeChatCallbackEndpoint : IDisposable
{
    private readonly WeChatCallbackOptions _options;
    private readonly PushOpener _opener;
    private readonly RunContext _run;
    private readonly IWeChatPushObserver[] _observers;

    public WeChatCallbackEndpoint(
        IOptions<WeChatCallbackOptions> options,
        WeChatAccounts accounts,
        IWeChatDispatcher dispatcher,
        IServiceScopeFactory scopes,
        IWeChatDedupeStore dedupe,
        WeChatBackgroundQueue queue,
        WeChatCallbackMetrics metrics,
        ILogger<WeChatCallbackEndpoint> logger,
        TimeProvider time,
        IEnumerable<IWeChatPushObserver> observers)
    {
        _options = options.Value;
        _opener = new PushOpener(_options, accounts);
        var gate = new DedupeGate(dedupe, _options, time, metrics, logger);
        _run = new RunContext(
            _options,
            dispatcher,
            scopes,
            queue,
            metrics,
            logger,
            time,
            gate,
            new CoarseTimeouts(_options.HandlerTimeout, TimeSpan.FromSeconds(1), time, queue.ShutdownDeadline),
            new RunWatch(time, _options.HandlerDeadline, gate.RenewEvery),
            new ReplyWriter(time, logger));
        _observers = [.. observers];
    }

    /// <summary>Stops the watch's timer (runs still in flight finish; they are no longer renewed).</summary>
    public void Dispose() => _run.Watch.Dispose();

    public Task HandleAsync(HttpContext http)
    {
        if (HttpMethods.IsPost(http.Request.Method))
        {
            return ReceiveAsync(http);
        }

        if (HttpMethods.IsGet(http.Request.Method))
        {
            return VerifyUrlAsync(http);
        }

        http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        return Task.CompletedTask;
    }

    private Task VerifyUrlAsync(HttpContext http)
    {
        if (_opener.VerifyUrl(http, out string? echostr, out var account) is { } refused)
        {
            return RejectAsync(http, refused, cause: null);
        }

        Log.Verified(_run.Logger, account!.Name);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/plain";
        return http.Response.WriteAsync(echostr!, System.Text.Encoding.UTF8, http.RequestAborted);
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        long arrived = _run.Time.GetTimestamp();
        var query = WeChatQuery.Parse(http.Request.QueryString.Value);
        var opened = await _opener.OpenAsync(http, query).ConfigureAwait(false);
        if (opened.Message is not { } message)
        {
            await RejectAsync(http, opened.Reason, opened.Cause).ConfigureAwait(false);
            return;
        }

        try
        {
            // Returns true when a handler run took the message over (it releases it when the handler finishes).
            if (await DispatchAsync(http, message, arrived, query.Nonce).ConfigureAwait(false))
            {
                message = null;
            }
        }
        finally
        {
            message?.Dispose();
        }
    }

    private async ValueTask<bool> DispatchAsync(HttpContext http, InboundMessage message, long arrived, QueryValue nonce)
    {
        string msgType = message.Payload.KnownMsgType() ?? "other";
        _run.Metrics.Received(msgType, message.Payload.Format, message.Encrypted);
        string key = DedupeKeys.For(message.Account!, message.Payload);
        using var activity = WeChatCallbackMetrics.ActivitySource.StartActivity("wechat.message", ActivityKind.Server);
        activity?.SetTag("wechat.msg_type", msgType);
        activity?.SetTag("wechat.key", key);

        long owner = _run.Dedupe.NewOwner();
        ClaimOutcome claim;
        try
        {
            claim = await _run.Dedupe.ClaimAsync(key, owner, arrived, _run.Time.GetTimestamp(), http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away while the store was asked: nobody is left to answer.
            await RejectAsync(http, RefusalReason.ClientDisconnected, ex.Message).ConfigureAwait(false);
            return false;
        }

        switch (claim)
        {
            case ClaimOutcome.StoreFailed:
                await RejectAsync(http, RefusalReason.DedupeStoreUnavailable, cause: null, logged: true).ConfigureAwait(false);
                return false;
            case ClaimOutcome.Done or ClaimOutcome.OwnedByLiveRun:
                _run.Metrics.Duplicate();
                activity?.SetTag("wechat.duplicate", true);
                Log.Duplicate(_run.Logger, key, claim == ClaimOutcome.Done ? "done" : "in flight, its run alive");
                await _run.Replies.WriteSuccessAsync(http, key).ConfigureAwait(false);
                return false;
        }

        foreach (var observer in _observers)
        {
            observer.OnPush(message.Account!.AppId, message.Payload);
        }

        WeChatRoute route;
        try
        {
            route = _run.Dispatcher.Route(message.Payload);
        }
        catch (Exception ex)
        {
            // Routing runs user patterns (bounded by a match timeout); a failure there is a handler failure.
            _run.Metrics.Failed("(routing)");
            Log.HandlerFailed(_run.Logger, ex, "(routing)", key);
            await _run.Dedupe.CompleteAsync(key, owner, succeeded: false).ConfigureAwait(false);
            if (_options.ReturnServerErrorOnHandlerFailure)
            {
                ReplyWriter.WriteStatus(http, StatusCodes.Status500InternalServerError);
                return false;
            }

            await _run.Replies.WriteSuccessAsync(http, key).ConfigureAwait(false);
            return false;
        }

        if (!route.IsHandled)
        {
            _run.Metrics.Unhandled();
            Log.Unhandled(_run.Logger, msgType, key);
            await _run.Dedupe.CompleteAsync(key, owner, succeeded: true).ConfigureAwait(false);
            await _run.Replies.WriteSuccessAsync(http, key).ConfigureAwait(false);
            return false;
        }

        activity?.SetTag("wechat.handler", route.HandlerName);
        var run = new HandlerRun(_run, message, route, key, msgType, owner);
        var ack = route.Ack == WeChatAckMode.Default ? _options.AckMode : route.Ack;
        if (ack == WeChatAckMode.Immediately)
        {
            if (!run.TryQueue())
            {
                Log.QueueFull(_run.Logger, key);
                await _run.Dedupe.CompleteAsync(key, owner, succeeded: false).ConfigureAwait(false);
                await RejectAsync(http, RefusalReason.QueueFull, cause: null, logged: true).ConfigureAwait(false);
                return false;
            }

            await _run.Replies.WriteSuccessAsync(http, key).ConfigureAwait(false);
            return true;
        }

        await run.RespondAsync(http, arrived, nonce).ConfigureAwait(false);
        return true;
    }

    /// <summary>Refuses: the table's status and tag, a log line (unless the step already logged one), a metric.</summary>
    private Task RejectAsync(HttpContext http, RefusalReason reason, string? cause, bool logged = false)
    {
        var refusal = Refusals.Get(reason);
        _run.Metrics.Rejected(refusal.Tag);
        if (!logged)
        {
            Log.Rejected(_run.Logger, refusal);
            Log.RejectedCause(_run.Logger, refusal, cause);
        }

        return _run.Replies.WriteRefusalAsync(http, refusal);
    }
}
