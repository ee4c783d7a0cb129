using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The request pipeline behind <c>MapWeChatCallback</c>: verify, decrypt, scan, dedupe, dispatch within the
/// deadline, answer. Every refusal gets a 4xx, a log line and a metric; nothing partial reaches a handler.
/// </summary>
internal sealed class WeChatCallbackEndpoint
{
    private static readonly byte[] s_success = "success"u8.ToArray();

    private readonly WeChatCallbackOptions _options;
    private readonly WeChatAccounts _accounts;
    private readonly IWeChatDispatcher _dispatcher;
    private readonly IServiceScopeFactory _scopes;
    private readonly IWeChatDedupeStore _dedupe;
    private readonly WeChatBackgroundQueue _queue;
    private readonly WeChatCallbackMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IWeChatPushObserver[] _observers;
    private readonly TimeoutBuckets _timeouts;

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
        _accounts = accounts;
        _dispatcher = dispatcher;
        _scopes = scopes;
        _dedupe = dedupe;
        _queue = queue;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _observers = [.. observers];
        _timeouts = new TimeoutBuckets(_options.HandlerTimeout);
    }

    public Task HandleAsync(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method))
        {
            return VerifyUrlAsync(http);
        }

        if (HttpMethods.IsPost(http.Request.Method))
        {
            return ReceiveAsync(http);
        }

        http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        return Task.CompletedTask;
    }

    private Task VerifyUrlAsync(HttpContext http)
    {
        var query = WeChatQuery.Parse(http.Request.QueryString.Value);
        string? signature = query.Signature, timestamp = query.Timestamp, nonce = query.Nonce, echostr = query.EchoStr;
        if (signature is null || timestamp is null || nonce is null || echostr is null)
        {
            return RejectAsync(http, StatusCodes.Status400BadRequest, "missing_parameters", "signature, timestamp, nonce and echostr are required");
        }

        if (!_accounts.TryResolveByRoute(http, out var candidates, out string? unknown))
        {
            return RejectAsync(http, StatusCodes.Status404NotFound, "unknown_account", unknown!);
        }

        foreach (var account in candidates)
        {
            if (WeChatSignature.VerifySignature(signature, account.Token, timestamp, nonce))
            {
                Log.Verified(_logger, account.Name);
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = "text/plain";
                return http.Response.WriteAsync(echostr, Encoding.UTF8, http.RequestAborted);
            }
        }

        return RejectAsync(http, StatusCodes.Status401Unauthorized, "bad_signature", "URL verification signature mismatch");
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        long arrived = _time.GetTimestamp();
        var query = WeChatQuery.Parse(http.Request.QueryString.Value);
        string? timestamp = query.Timestamp, nonce = query.Nonce;
        if (timestamp is null || nonce is null)
        {
            await RejectAsync(http, StatusCodes.Status400BadRequest, "missing_parameters", "timestamp and nonce are required").ConfigureAwait(false);
            return;
        }

        if (!_accounts.TryResolveByRoute(http, out var candidates, out string? unknown))
        {
            await RejectAsync(http, StatusCodes.Status404NotFound, "unknown_account", unknown!).ConfigureAwait(false);
            return;
        }

        if (http.Request.ContentLength > _options.MaxBodySize)
        {
            await RejectAsync(http, StatusCodes.Status413PayloadTooLarge, "body_too_large", $"Content-Length above {_options.MaxBodySize} bytes").ConfigureAwait(false);
            return;
        }

        var body = await PooledBuffer.ReadAsync(http.Request.Body, _options.MaxBodySize, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await RejectAsync(http, StatusCodes.Status413PayloadTooLarge, "body_too_large", $"body above {_options.MaxBodySize} bytes").ConfigureAwait(false);
            return;
        }

        var message = new InboundMessage(body);
        try
        {
            var refusal = Open(message, query, timestamp, nonce, candidates);
            if (refusal is { } r)
            {
                await RejectAsync(http, r.Status, r.Reason, r.Detail).ConfigureAwait(false);
                return;
            }

            // From here the message owns its buffers; whoever finishes the handler run releases them.
            await DispatchAsync(http, message, arrived, nonce).ConfigureAwait(false);
            message = null;
        }
        finally
        {
            message?.Dispose();
        }
    }

    /// <summary>Verifies, decrypts and scans. Returns a refusal, or null with <paramref name="message"/> filled in.</summary>
    private Refusal? Open(InboundMessage message, in WeChatQuery query, string timestamp, string nonce, IReadOnlyList<WeChatAccount> candidates)
    {
        bool encrypted = string.Equals(query.EncryptType, "aes", StringComparison.OrdinalIgnoreCase);
        WeChatPayload outer;
        var account = candidates.Count == 1 ? candidates[0] : null;

        if (!encrypted && account is not null)
        {
            // Plaintext: the signature covers no body, but it is checked before the body is read any further.
            if (account.RequireEncryption)
            {
                return new(StatusCodes.Status403Forbidden, "plaintext_refused", "safe mode is required for this account");
            }

            if (!WeChatSignature.VerifySignature(query.Signature, account.Token, timestamp, nonce))
            {
                return new(StatusCodes.Status401Unauthorized, "bad_signature", "signature mismatch");
            }
        }

        try
        {
            outer = encrypted ? WeChatPayload.ParseEnvelope(message.Body.Memory) : WeChatPayload.Parse(message.Body.Memory);
        }
        catch (WeChatPayloadException ex)
        {
            return new(StatusCodes.Status400BadRequest, "malformed_payload", ex.Message);
        }

        if (account is null)
        {
            account = _accounts.ResolveByOriginalId(candidates, outer);
            if (account is null)
            {
                return new(StatusCodes.Status404NotFound, "unknown_account", "ToUserName matches no configured account");
            }

            if (!encrypted)
            {
                if (account.RequireEncryption)
                {
                    return new(StatusCodes.Status403Forbidden, "plaintext_refused", "safe mode is required for this account");
                }

                if (!WeChatSignature.VerifySignature(query.Signature, account.Token, timestamp, nonce))
                {
                    return new(StatusCodes.Status401Unauthorized, "bad_signature", "signature mismatch");
                }
            }
        }

        message.Account = account;
        message.Encrypted = encrypted;
        if (!encrypted)
        {
            message.Payload = outer;
            return null;
        }

        if (account.Crypto is null)
        {
            return new(StatusCodes.Status400BadRequest, "no_key", "encrypted push but no EncodingAESKey is configured");
        }

        string? msgSignature = query.MsgSignature;
        if (msgSignature is null)
        {
            return new(StatusCodes.Status401Unauthorized, "bad_signature", "msg_signature is missing");
        }

        try
        {
            message.Plaintext = account.Crypto.VerifyAndDecrypt(timestamp, nonce, msgSignature, outer);
        }
        catch (WeChatCryptoException ex)
        {
            return ex.Error == WeChatCryptoError.ValidateSignature
                ? new(StatusCodes.Status401Unauthorized, "bad_msg_signature", ex.Message)
                : new(StatusCodes.Status400BadRequest, "decrypt_" + ex.Error.ToString().ToLowerInvariant(), ex.Message);
        }

        try
        {
            message.Payload = WeChatPayload.Parse(message.Plaintext.Message);
        }
        catch (WeChatPayloadException ex)
        {
            return new(StatusCodes.Status400BadRequest, "malformed_payload", ex.Message);
        }

        return null;
    }

    private async Task DispatchAsync(HttpContext http, InboundMessage message, long arrived, string nonce)
    {
        var payload = message.Payload;
        string msgType = MsgTypeName(payload);
        _metrics.Received(msgType, payload.Format, message.Encrypted);
        string key = DedupeKey(message.Account!, payload);
        using var activity = WeChatCallbackMetrics.ActivitySource.StartActivity("wechat.message", ActivityKind.Server);
        activity?.SetTag("wechat.msg_type", msgType);
        activity?.SetTag("wechat.key", key);

        var decision = await _dedupe.TryBeginAsync(key, _options.DedupeWindow, http.RequestAborted).ConfigureAwait(false);
        if (decision == WeChatDedupeDecision.InFlight)
        {
            // The first delivery is still running: wait for it within the deadline, then acknowledge.
            var left = _options.HandlerDeadline - _time.GetElapsedTime(arrived);
            decision = await _dedupe.WaitAsync(key, _options.DedupeWindow, left > TimeSpan.Zero ? left : TimeSpan.Zero, http.RequestAborted).ConfigureAwait(false);
        }

        if (decision != WeChatDedupeDecision.Run)
        {
            _metrics.Duplicate();
            activity?.SetTag("wechat.duplicate", true);
            Log.Duplicate(_logger, key, decision == WeChatDedupeDecision.Done ? "done" : "in flight");
            message.Dispose();
            await WriteSuccessAsync(http).ConfigureAwait(false);
            return;
        }

        foreach (var observer in _observers)
        {
            observer.OnPush(message.Account!.AppId, payload);
        }

        WeChatRoute route;
        try
        {
            route = _dispatcher.Route(payload);
        }
        catch (Exception ex)
        {
            // Routing runs user patterns (bounded by a match timeout); a failure there is a handler failure.
            _metrics.Failed("(routing)");
            Log.HandlerFailed(_logger, ex, "(routing)", key);
            await CompleteDedupeAsync(key, succeeded: false).ConfigureAwait(false);
            message.Dispose();
            if (_options.ReturnServerErrorOnHandlerFailure)
            {
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            await WriteSuccessAsync(http).ConfigureAwait(false);
            return;
        }

        if (!route.IsHandled)
        {
            _metrics.Unhandled();
            Log.Unhandled(_logger, msgType, key);
            await CompleteDedupeAsync(key, succeeded: true).ConfigureAwait(false);
            message.Dispose();
            await WriteSuccessAsync(http).ConfigureAwait(false);
            return;
        }

        activity?.SetTag("wechat.handler", route.HandlerName);
        var work = new HandlerRun(this, message, route, key, msgType);
        var ack = route.Ack == WeChatAckMode.Default ? _options.AckMode : route.Ack;
        if (ack == WeChatAckMode.Immediately)
        {
            if (!_queue.TryEnqueue(work.RunDetachedAsync))
            {
                Log.QueueFull(_logger, key);
                _metrics.Rejected("queue_full");
                await CompleteDedupeAsync(key, succeeded: false).ConfigureAwait(false);
                message.Dispose();
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await WriteSuccessAsync(http).ConfigureAwait(false);
            return;
        }

        var run = work.RunAsync();
        if (!run.IsCompleted)
        {
            // Only a handler still running needs a Task to race against the deadline.
            var running = run.AsTask();
            run = new ValueTask<WeChatDispatchResult?>(running);
            var left = _options.HandlerDeadline - _time.GetElapsedTime(arrived);
            using var delayCancel = new CancellationTokenSource();
            var delay = left > TimeSpan.Zero ? Task.Delay(left, _time, delayCancel.Token) : Task.CompletedTask;
            if (await Task.WhenAny(running, delay).ConfigureAwait(false) != running)
            {
                _metrics.Overrun(route.HandlerName);
                activity?.SetTag("wechat.deadline_overrun", true);
                Log.DeadlineOverrun(_logger, route.HandlerName, key, _options.HandlerDeadline.TotalMilliseconds);
                await WriteSuccessAsync(http).ConfigureAwait(false);
                return;
            }

            await delayCancel.CancelAsync().ConfigureAwait(false);
        }

        var outcome = await run.ConfigureAwait(false);
        if (outcome is not { } result)
        {
            if (_options.ReturnServerErrorOnHandlerFailure)
            {
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            await WriteSuccessAsync(http).ConfigureAwait(false);
            return;
        }

        await WriteReplyAsync(http, result.Reply, work.ReplyFields, nonce).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a handler's outcome. A store that fails here (Redis down) is logged and counted but must not turn a
    /// finished handler into a failure, nor end a background queue reader.
    /// </summary>
    private async ValueTask CompleteDedupeAsync(string key, bool succeeded)
    {
        try
        {
            await _dedupe.CompleteAsync(key, succeeded, _options.DedupeWindow, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.Rejected("dedupe_store_failed");
            Log.DedupeStoreFailed(_logger, ex, key);
        }
    }

    // Metric tags stay a small fixed set: anything undocumented counts as "other".
    private static string MsgTypeName(in WeChatPayload payload) => payload.KnownMsgType() ?? "other";

    /// <summary>
    /// MsgId for messages; otherwise FromUserName, CreateTime, MsgType and Event, plus the fields that tell apart
    /// two events of the same user in the same second (trace_id of media checks, transaction_id of orders).
    /// </summary>
    internal static string DedupeKey(WeChatAccount account, in WeChatPayload payload)
    {
        if (payload.Contains(WeChatField.MsgId))
        {
            // The common case in one allocation: "{account}|m|{MsgId}".
            return string.Create(CultureInfo.InvariantCulture, $"{account.Name}|m|{payload.GetInt64(WeChatField.MsgId)}");
        }

        var builder = new StringBuilder(96).Append(account.Name).Append('|');

        builder.Append("e|").Append(payload.GetString(WeChatField.FromUserName))
            .Append('|').Append(payload.GetInt64(WeChatField.CreateTime).ToString(CultureInfo.InvariantCulture))
            .Append('|').Append(payload.GetString(WeChatField.MsgType))
            .Append('|').Append(payload.GetString(WeChatField.Event));
        foreach (string extra in (ReadOnlySpan<string>)["trace_id", "transaction_id", "OpenID"])
        {
            if (payload.GetField(extra) is { } value)
            {
                builder.Append('|').Append(extra).Append('=').Append(value);
            }
        }

        return builder.ToString();
    }

    private async Task WriteReplyAsync(HttpContext http, WeChatReply reply, ReplyFields? fields, string nonce)
    {
        switch (reply.Kind)
        {
            case WeChatReplyKind.Empty:
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentLength = 0;
                return;
            case WeChatReplyKind.TransferToCustomerService when fields is not null:
                var plaintext = new ArrayBufferWriter<byte>(256);
                long now = _time.GetUtcNow().ToUnixTimeSeconds();
                WeChatReplyRenderer.WriteTransfer(plaintext, fields.Format, toUser: fields.FromUserName, fromUser: fields.ToUserName, now);
                ReadOnlyMemory<byte> bytes = plaintext.WrittenMemory;
                if (fields.Encrypted)
                {
                    var envelope = new ArrayBufferWriter<byte>(512);
                    fields.Account.Crypto!.WriteReplyEnvelope(envelope, fields.Format, plaintext.WrittenSpan, now, nonce);
                    bytes = envelope.WrittenMemory;
                }

                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = fields.Format == WeChatFormat.Json ? "application/json" : "text/xml";
                http.Response.ContentLength = bytes.Length;
                await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
                return;
            default:
                await WriteSuccessAsync(http).ConfigureAwait(false);
                return;
        }
    }

    private static Task WriteSuccessAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/plain";
        http.Response.ContentLength = s_success.Length;
        return http.Response.Body.WriteAsync(s_success, 0, s_success.Length, http.RequestAborted);
    }

    private Task RejectAsync(HttpContext http, int status, string reason, string detail)
    {
        _metrics.Rejected(reason);
        Log.Rejected(_logger, reason, status, detail);
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain";
        return http.Response.WriteAsync(reason, http.RequestAborted);
    }

    private readonly record struct Refusal(int Status, string Reason, string Detail);

    /// <summary>
    /// Handler timeouts to the second: every handler started within the same second shares one timer, instead of
    /// each arming its own (a timer per push was a measurable part of the endpoint's cost). A handler may run up to
    /// one second past <see cref="WeChatCallbackOptions.HandlerTimeout"/>.
    /// </summary>
    private sealed class TimeoutBuckets(TimeSpan timeout)
    {
        private static readonly long s_width = System.Diagnostics.Stopwatch.Frequency;
        private Bucket? _current;

        public CancellationToken Current()
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            var bucket = Volatile.Read(ref _current);
            if (bucket is null || now - bucket.Started >= s_width)
            {
                var fresh = new Bucket(now, new CancellationTokenSource(timeout + TimeSpan.FromSeconds(1)));
                // A lost race leaves one extra timer that fires and is collected: no harm.
                bucket = Interlocked.CompareExchange(ref _current, fresh, bucket) == bucket ? fresh : Volatile.Read(ref _current)!;
            }

            return bucket.Source.Token;
        }

        private sealed record Bucket(long Started, CancellationTokenSource Source);
    }

    /// <summary>What a transfer reply needs once the message buffers are gone.</summary>
    internal sealed record ReplyFields(WeChatAccount Account, WeChatFormat Format, bool Encrypted, string ToUserName, string FromUserName);

    /// <summary>One handler run: owns the message and its scope until the handler finishes, however long that takes.</summary>
    private sealed class HandlerRun(WeChatCallbackEndpoint endpoint, InboundMessage message, WeChatRoute route, string key, string msgType)
    {
        /// <summary>What a transfer reply needs, read before the message's buffers go back to the pool.</summary>
        public ReplyFields? ReplyFields { get; private set; }

        public async Task RunDetachedAsync() => await RunAsync().ConfigureAwait(false);

        /// <summary>Runs the handler; returns null when it failed (logged, counted, dedupe key released).</summary>
        public async ValueTask<WeChatDispatchResult?> RunAsync()
        {
            var e = endpoint;
            long started = e._time.GetTimestamp();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(e._queue.ShutdownDeadline, e._timeouts.Current());
            var scope = e._scopes.CreateAsyncScope();
            try
            {
                var payload = message.Payload;
                var context = new WeChatContext
                {
                    AppId = message.Account!.AppId,
                    Format = payload.Format,
                    IsEncrypted = message.Encrypted,
                    Payload = payload.Data,
                };
                var result = await e._dispatcher.InvokeAsync(route, payload, context, scope.ServiceProvider, timeout.Token).ConfigureAwait(false);
                if (result.Reply.Kind == WeChatReplyKind.TransferToCustomerService)
                {
                    ReplyFields = new(
                        message.Account!,
                        payload.Format,
                        message.Encrypted,
                        payload.GetString(WeChatField.ToUserName),
                        payload.GetString(WeChatField.FromUserName));
                }

                var elapsed = e._time.GetElapsedTime(started);
                e._metrics.Handled(route.HandlerName);
                e._metrics.Duration(route.HandlerName, elapsed);
                Log.Handled(e._logger, msgType, key, route.HandlerName, elapsed.TotalMilliseconds);
                await e.CompleteDedupeAsync(key, succeeded: true).ConfigureAwait(false);
                return result;
            }
            catch (Exception ex)
            {
                // Never shown to WeChat: logged with the message key and counted; the key is released so a retry runs again.
                e._metrics.Failed(route.HandlerName);
                e._metrics.Duration(route.HandlerName, e._time.GetElapsedTime(started));
                Log.HandlerFailed(e._logger, ex, route.HandlerName, key);
                await e.CompleteDedupeAsync(key, succeeded: false).ConfigureAwait(false);
                return null;
            }
            finally
            {
                await scope.DisposeAsync().ConfigureAwait(false);
                message.Dispose();
            }
        }
    }
}
