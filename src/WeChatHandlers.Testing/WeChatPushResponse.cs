using System.Net;
using System.Text;
using WeChatHandlers.Security;

namespace WeChatHandlers.Testing;

/// <summary>
/// What the endpoint answered to a push: the HTTP status, the raw body, and the reply decoded (decrypted and its
/// <c>MsgSignature</c> checked when it came in a safe-mode envelope).
/// </summary>
public sealed class WeChatPushResponse
{
    private readonly IReadOnlyDictionary<string, string> _replyFields;

    private WeChatPushResponse(HttpStatusCode status, string body, string? reply, bool encrypted, IReadOnlyList<string> handlers)
    {
        StatusCode = status;
        Body = body;
        Reply = reply;
        ReplyWasEncrypted = encrypted;
        Handlers = handlers;
        _replyFields = reply is null ? new Dictionary<string, string>() : PushDocument.TryReadFields(reply) ?? new Dictionary<string, string>();
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The body as received.</summary>
    public string Body { get; }

    /// <summary>Whether WeChat would take this as handled: 200 with <c>success</c> or an empty body.</summary>
    public bool IsSuccess => StatusCode == HttpStatusCode.OK && Body is "success" or "";

    /// <summary>
    /// The reply document when the answer was neither <c>success</c> nor empty: decrypted when it came encrypted, as
    /// received otherwise; <see langword="null"/> for <c>success</c>, empty bodies and non-200 answers.
    /// </summary>
    public string? Reply { get; }

    /// <summary>Whether the reply came in a safe-mode envelope (and was decrypted).</summary>
    public bool ReplyWasEncrypted { get; }

    /// <summary>Whether the reply hands the message to the customer-service tool (<c>transfer_customer_service</c>).</summary>
    public bool IsTransferToCustomerService => GetReplyField("MsgType") == "transfer_customer_service";

    /// <summary>
    /// The handlers that completed this push, as <c>Type.Method</c>, when the push went through a
    /// <see cref="WeChatTestHost"/> or <see cref="WeChatAppFactory{TEntryPoint}"/> (read from the endpoint's
    /// <c>wechat.messages.handled</c> metric; empty for unhandled pushes, duplicates, refusals, and handlers acknowledged
    /// before they ran).
    /// </summary>
    public IReadOnlyList<string> Handlers { get; }

    /// <summary>A top-level field of <see cref="Reply"/>, or <see langword="null"/>.</summary>
    /// <param name="name">The field, e.g. <c>MsgType</c>.</param>
    public string? GetReplyField(string name) => _replyFields.GetValueOrDefault(name);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{(int)StatusCode} {(Reply is null ? (Body.Length == 0 ? "(empty)" : Body) : (ReplyWasEncrypted ? "encrypted reply: " : "reply: ") + Reply)}";

    /// <summary>Reads <paramref name="response"/> to a push that was signed as <paramref name="push"/>.</summary>
    /// <param name="response">The endpoint's answer.</param>
    /// <param name="push">The push it answers (its account decrypts the reply).</param>
    /// <param name="handlers">The handlers observed for it.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <exception cref="InvalidDataException">The reply is an envelope whose signature or ciphertext does not verify.</exception>
    public static async Task<WeChatPushResponse> ReadAsync(HttpResponseMessage response, WeChatSignedPush push,
        IReadOnlyList<string>? handlers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(push);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return FromBody(response.StatusCode, body, push.Account, handlers ?? []);
    }

    internal static WeChatPushResponse FromBody(HttpStatusCode status, string body, WeChatTestAccount account, IReadOnlyList<string> handlers)
    {
        if (status != HttpStatusCode.OK || body is "success" or "")
        {
            return new WeChatPushResponse(status, body, null, false, handlers);
        }

        var fields = PushDocument.TryReadFields(body);
        if (fields is null || !fields.TryGetValue("Encrypt", out var encrypt))
        {
            return new WeChatPushResponse(status, body, body, false, handlers);
        }

        if (account.EncodingAESKey is null)
        {
            throw new InvalidDataException("The reply is encrypted, but the account has no EncodingAESKey to decrypt it.");
        }

        string timestamp = fields.GetValueOrDefault("TimeStamp") ?? throw new InvalidDataException("The encrypted reply has no TimeStamp.");
        string nonce = fields.GetValueOrDefault("Nonce") ?? throw new InvalidDataException("The encrypted reply has no Nonce.");
        string signature = fields.GetValueOrDefault("MsgSignature") ?? throw new InvalidDataException("The encrypted reply has no MsgSignature.");
        if (WeChatSignature.ComputeMsgSignature(account.Token, timestamp, nonce, encrypt) != signature.ToLowerInvariant())
        {
            throw new InvalidDataException("The encrypted reply's MsgSignature does not match its Encrypt, TimeStamp and Nonce for this Token.");
        }

        using var crypto = new WeChatCrypto(account.Token, account.EncodingAESKey, account.AppId);
        try
        {
            using var plain = crypto.Decrypt(Encoding.ASCII.GetBytes(encrypt));
            return new WeChatPushResponse(status, body, Encoding.UTF8.GetString(plain.Message.Span), true, handlers);
        }
        catch (WeChatCryptoException e)
        {
            throw new InvalidDataException($"The encrypted reply does not decrypt with this account ({e.Error}): {e.Message}", e);
        }
    }
}
