using Microsoft.AspNetCore.Http;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// Opening a request: the query, the account, the body, the signatures, decryption and the scan. Refuses with a
/// reason from the <see cref="Refusals"/> table, or hands back a message whose payload is plaintext and verified.
/// </summary>
internal sealed class PushOpener(WeChatCallbackOptions options, WeChatAccounts accounts)
{
    /// <summary>The result of opening: a message, or a refusal with what caused it (for the Debug log only).</summary>
    public readonly record struct Opened(InboundMessage? Message, RefusalReason Reason, string? Cause)
    {
        public static Opened Refuse(RefusalReason reason, string? cause = null) => new(null, reason, cause);
    }

    /// <summary>The GET handshake: returns the account that signed it, or the refusal.</summary>
    public RefusalReason? VerifyUrl(HttpContext http, out string? echostr, out WeChatAccount? account)
    {
        var query = WeChatQuery.Parse(http.Request.QueryString.Value);
        echostr = query.EchoStr.IsPresent ? query.EchoStr.ToString() : null;
        account = null;
        if (!query.Signature.HasValue || !query.Timestamp.HasValue || !query.Nonce.HasValue || echostr is null)
        {
            return RefusalReason.MissingVerificationParameters;
        }

        if (!accounts.TryResolveByRoute(http, out var candidates))
        {
            return RefusalReason.UnknownAccount;
        }

        foreach (var candidate in candidates)
        {
            if (WeChatSignature.VerifySignature(query.Signature.Span, candidate.Token, query.Timestamp.Span, query.Nonce.Span))
            {
                account = candidate;
                return null;
            }
        }

        return RefusalReason.BadVerificationSignature;
    }

    /// <summary>Reads and opens a POST. The caller owns (and disposes) the returned message.</summary>
    public async ValueTask<Opened> OpenAsync(HttpContext http, WeChatQuery query)
    {
        // An empty timestamp or nonce signs nothing: the signature would be the token's alone, the same for every push.
        if (!query.Timestamp.HasValue || !query.Nonce.HasValue)
        {
            return Opened.Refuse(RefusalReason.MissingParameters);
        }

        if (!accounts.TryResolveByRoute(http, out var candidates))
        {
            return Opened.Refuse(RefusalReason.UnknownAccount);
        }

        if (http.Request.ContentLength > options.MaxBodySize)
        {
            return Opened.Refuse(RefusalReason.BodyTooLarge, "declared Content-Length");
        }

        PooledBuffer? body;
        try
        {
            body = await PooledBuffer.ReadAsync(http.Request.BodyReader, options.MaxBodySize, http.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own limits: a body sent below MinRequestBodyDataRate (408), a bad chunk, a too-large body.
            var reason = ex.StatusCode switch
            {
                StatusCodes.Status408RequestTimeout => RefusalReason.BodyReadTimeout,
                StatusCodes.Status413PayloadTooLarge => RefusalReason.BodyTooLarge,
                _ => RefusalReason.BodyReadFailed,
            };
            return Opened.Refuse(reason, ex.Message);
        }
        catch (OperationCanceledException ex) when (http.RequestAborted.IsCancellationRequested)
        {
            return Opened.Refuse(RefusalReason.ClientDisconnected, ex.Message);
        }
        catch (IOException ex)
        {
            // A reset connection (ConnectionResetException is an IOException), or a body cut short.
            return Opened.Refuse(RefusalReason.ClientDisconnected, ex.Message);
        }

        if (body is not { } read)
        {
            return Opened.Refuse(RefusalReason.BodyTooLarge, "streamed body");
        }

        var message = new InboundMessage(read);
        var opened = Open(message, query, candidates);
        if (opened.Message is null)
        {
            message.Dispose();
        }

        return opened;
    }

    private static Opened Open(InboundMessage message, in WeChatQuery query, IReadOnlyList<WeChatAccount> candidates)
    {
        bool encrypted = query.EncryptType.Span.Equals("aes", StringComparison.OrdinalIgnoreCase);
        var account = candidates.Count == 1 ? candidates[0] : null;

        // Plaintext: the signature covers no body, but it is checked before the body is read any further.
        if (!encrypted && account is not null && CheckPlaintext(account, query) is { } early)
        {
            return Opened.Refuse(early);
        }

        // Parsed in place: the payload is a large struct. In safe mode this is the envelope until it is decrypted.
        ref var outer = ref message.Payload;
        try
        {
            // A safe-mode body is an envelope (ToUserName and Encrypt): the message's own headers are inside it.
            outer = encrypted ? WeChatPayload.ParseEnvelope(message.Body) : WeChatPayload.Parse(message.Body);
        }
        catch (WeChatPayloadException ex)
        {
            return Opened.Refuse(RefusalReason.MalformedPayload, ex.Message);
        }

        if (account is null)
        {
            account = WeChatAccounts.ResolveByOriginalId(candidates, outer);
            if (account is null)
            {
                return Opened.Refuse(RefusalReason.UnknownOriginalId);
            }

            if (!encrypted && CheckPlaintext(account, query) is { } late)
            {
                return Opened.Refuse(late);
            }
        }

        message.Account = account;
        message.Encrypted = encrypted;
        if (!encrypted)
        {
            return new(message, default, null);
        }

        if (account.Crypto is null)
        {
            return Opened.Refuse(RefusalReason.NoKey);
        }

        if (!query.MsgSignature.HasValue)
        {
            return Opened.Refuse(RefusalReason.MissingMsgSignature);
        }

        try
        {
            message.Plaintext = account.Crypto.VerifyAndDecrypt(query.Timestamp.Span, query.Nonce.Span, query.MsgSignature.Span, outer);
        }
        catch (WeChatCryptoException ex)
        {
            return Opened.Refuse(Refusals.ForCrypto(ex.Error), ex.Message);
        }

        try
        {
            message.Payload = WeChatPayload.Parse(message.Plaintext.Message);
        }
        catch (WeChatPayloadException ex)
        {
            return Opened.Refuse(RefusalReason.MalformedPayload, ex.Message);
        }

        return new(message, default, null);
    }

    private static RefusalReason? CheckPlaintext(WeChatAccount account, in WeChatQuery query)
    {
        if (account.RequireEncryption)
        {
            return RefusalReason.PlaintextRefused;
        }

        return WeChatSignature.VerifySignature(query.Signature.Span, account.Token, query.Timestamp.Span, query.Nonce.Span) ? null : RefusalReason.BadSignature;
    }
}
