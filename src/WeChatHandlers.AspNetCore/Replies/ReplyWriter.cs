using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore;

/// <summary>What a transfer reply needs once the message buffers are gone.</summary>
internal sealed record ReplyFields(WeChatAccount Account, WeChatFormat Format, bool Encrypted, string ToUserName, string FromUserName);

/// <summary>
/// Every answer the endpoint writes: <c>success</c>, an empty body, the transfer packet (encrypted in the reply envelope
/// when the push was), a refusal, a bare status. A client that went away while it was answered is logged at Debug, never
/// left to Kestrel as an unhandled exception.
/// </summary>
internal sealed class ReplyWriter(TimeProvider time, ILogger logger)
{
    private static readonly ReadOnlyMemory<byte> s_success = "success"u8.ToArray();

    /// <summary>Answers <c>success</c>. Allocation-free when the write completes at once (the usual case).</summary>
    public Task WriteSuccessAsync(HttpContext http, string key)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain";
        response.ContentLength = s_success.Length;
        var write = response.Body.WriteAsync(s_success, http.RequestAborted);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : GuardAsync(http, write, key);
    }

    /// <summary>Answers <c>success</c> and completes the response: used by the deadline, while the request thread may still be inside a handler.</summary>
    public async Task WriteSuccessAndCompleteAsync(HttpContext http, string key)
    {
        await WriteSuccessAsync(http, key).ConfigureAwait(false);
        try
        {
            await http.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(http, ex))
        {
            Log.ClientGone(logger, key, ex);
        }
    }

    /// <summary>Answers a status with no body (500 after a handler failure when configured, 503).</summary>
    public static void WriteStatus(HttpContext http, int status)
    {
        http.Response.StatusCode = status;
        http.Response.ContentLength = 0;
    }

    /// <summary>Answers a refusal: its status, and its tag as the body.</summary>
    public Task WriteRefusalAsync(HttpContext http, in Refusal refusal)
    {
        var response = http.Response;
        response.StatusCode = refusal.Status;
        response.ContentType = "text/plain";
        if (http.RequestAborted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        return GuardAsync(http, new ValueTask(response.WriteAsync(refusal.Tag, http.RequestAborted)), refusal.Tag);
    }

    /// <summary>Answers a handler's reply: <c>success</c>, an empty body, or the transfer packet.</summary>
    public Task WriteReplyAsync(HttpContext http, WeChatReply reply, ReplyFields? fields, QueryValue nonce, string key)
    {
        switch (reply.Kind)
        {
            case WeChatReplyKind.Empty:
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentLength = 0;
                return Task.CompletedTask;
            case WeChatReplyKind.TransferToCustomerService when fields is not null:
                return WriteTransferAsync(http, fields, nonce, key);
            default:
                return WriteSuccessAsync(http, key);
        }
    }

    private Task WriteTransferAsync(HttpContext http, ReplyFields fields, QueryValue nonce, string key)
    {
        var plaintext = new ArrayBufferWriter<byte>(256);
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        ReadOnlyMemory<byte> bytes;
        try
        {
            WeChatReplyRenderer.WriteTransfer(plaintext, fields.Format, toUser: fields.FromUserName, fromUser: fields.ToUserName, now);
            bytes = plaintext.WrittenMemory;
            if (fields.Encrypted)
            {
                var envelope = new ArrayBufferWriter<byte>(512);
                fields.Account.Crypto!.WriteReplyEnvelope(envelope, fields.Format, plaintext.WrittenSpan, now, nonce.Span);
                bytes = envelope.WrittenMemory;
            }
        }
        catch (WeChatCryptoException ex)
        {
            // The message was handled; only its transfer could not be expressed. WeChat gets success, the log says why.
            Log.ReplyNotRendered(logger, key, ex);
            return WriteSuccessAsync(http, key);
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = fields.Format == WeChatFormat.Json ? "application/json" : "text/xml";
        response.ContentLength = bytes.Length;
        return GuardAsync(http, response.Body.WriteAsync(bytes, http.RequestAborted), key);
    }

    private async Task GuardAsync(HttpContext http, ValueTask write, string key)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(http, ex))
        {
            Log.ClientGone(logger, key, ex);
        }
    }

    private static bool IsClientGone(HttpContext http, Exception ex)
        => http.RequestAborted.IsCancellationRequested || ex is IOException or OperationCanceledException or ObjectDisposedException;
}
