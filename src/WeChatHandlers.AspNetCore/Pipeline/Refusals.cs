using Microsoft.AspNetCore.Http;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore;

/// <summary>Every reason the endpoint refuses a request. Each has one row in <see cref="Refusals"/>.</summary>
internal enum RefusalReason
{
    MissingParameters,
    MissingVerificationParameters,
    UnknownAccount,
    UnknownOriginalId,
    BodyTooLarge,
    BodyReadTimeout,
    BodyReadFailed,
    ClientDisconnected,
    PlaintextRefused,
    BadSignature,
    BadVerificationSignature,
    MissingMsgSignature,
    BadMsgSignature,
    MalformedPayload,
    NoKey,
    DecryptParseEnvelope,
    DecryptComputeSignature,
    DecryptIllegalAesKey,
    DecryptValidateAppId,
    DecryptEncryptAes,
    DecryptAes,
    DecryptIllegalBuffer,
    DecryptEncodeBase64,
    DecryptDecodeBase64,
    DecryptGenerateReply,
    QueueFull,
    DedupeStoreUnavailable,
}

/// <summary>One refusal: the status WeChat gets, the <c>reason</c> tag (metric, body and log), and the log text.</summary>
internal readonly record struct Refusal(int Status, string Tag, string Text);

/// <summary>
/// The refusal table: the one place that maps a reason to its status code, its tag and its log text. The body of a
/// refusal is its tag; the log line is <c>WeChat request rejected: {Reason} ({Status}) {Detail}</c>.
/// </summary>
internal static class Refusals
{
    private static readonly Refusal[] s_table = Build();

    public static Refusal Get(RefusalReason reason) => s_table[(int)reason];

    /// <summary>The reason of a decryption failure.</summary>
    public static RefusalReason ForCrypto(WeChatCryptoError error) => error switch
    {
        WeChatCryptoError.ValidateSignature => RefusalReason.BadMsgSignature,
        WeChatCryptoError.ParseEnvelope => RefusalReason.DecryptParseEnvelope,
        WeChatCryptoError.ComputeSignature => RefusalReason.DecryptComputeSignature,
        WeChatCryptoError.IllegalAesKey => RefusalReason.DecryptIllegalAesKey,
        WeChatCryptoError.ValidateAppId => RefusalReason.DecryptValidateAppId,
        WeChatCryptoError.EncryptAes => RefusalReason.DecryptEncryptAes,
        WeChatCryptoError.DecryptAes => RefusalReason.DecryptAes,
        WeChatCryptoError.IllegalBuffer => RefusalReason.DecryptIllegalBuffer,
        WeChatCryptoError.EncodeBase64 => RefusalReason.DecryptEncodeBase64,
        WeChatCryptoError.DecodeBase64 => RefusalReason.DecryptDecodeBase64,
        _ => RefusalReason.DecryptGenerateReply,
    };

    private static Refusal[] Build()
    {
        var table = new Refusal[Enum.GetValues<RefusalReason>().Length];
        void Row(RefusalReason reason, int status, string tag, string text) => table[(int)reason] = new(status, tag, text);

        Row(RefusalReason.MissingParameters, StatusCodes.Status400BadRequest, "missing_parameters", "timestamp and nonce are required");
        Row(RefusalReason.MissingVerificationParameters, StatusCodes.Status400BadRequest, "missing_parameters", "signature, timestamp, nonce and echostr are required");
        Row(RefusalReason.UnknownAccount, StatusCodes.Status404NotFound, "unknown_account", "no account is configured for this AppId");
        Row(RefusalReason.UnknownOriginalId, StatusCodes.Status404NotFound, "unknown_account", "ToUserName matches no configured account");
        Row(RefusalReason.BodyTooLarge, StatusCodes.Status413PayloadTooLarge, "body_too_large", "the body is above MaxBodySize");
        Row(RefusalReason.BodyReadTimeout, StatusCodes.Status408RequestTimeout, "body_read_timeout", "the client sent the body too slowly");
        Row(RefusalReason.BodyReadFailed, StatusCodes.Status400BadRequest, "body_read_failed", "the body could not be read");
        Row(RefusalReason.ClientDisconnected, StatusCodes.Status400BadRequest, "client_disconnected", "the connection closed before the push was answered");
        Row(RefusalReason.PlaintextRefused, StatusCodes.Status403Forbidden, "plaintext_refused", "safe mode is required for this account");
        Row(RefusalReason.BadSignature, StatusCodes.Status401Unauthorized, "bad_signature", "signature mismatch");
        Row(RefusalReason.BadVerificationSignature, StatusCodes.Status401Unauthorized, "bad_signature", "URL verification signature mismatch");
        Row(RefusalReason.MissingMsgSignature, StatusCodes.Status401Unauthorized, "bad_signature", "msg_signature is missing");
        Row(RefusalReason.BadMsgSignature, StatusCodes.Status401Unauthorized, "bad_msg_signature", "msg_signature mismatch");
        Row(RefusalReason.MalformedPayload, StatusCodes.Status400BadRequest, "malformed_payload", "the push is not a well-formed WeChat message");
        Row(RefusalReason.NoKey, StatusCodes.Status400BadRequest, "no_key", "encrypted push but no EncodingAESKey is configured");
        Row(RefusalReason.DecryptParseEnvelope, StatusCodes.Status400BadRequest, "decrypt_parseenvelope", "the envelope has no readable Encrypt field");
        Row(RefusalReason.DecryptComputeSignature, StatusCodes.Status400BadRequest, "decrypt_computesignature", "the signature could not be computed");
        Row(RefusalReason.DecryptIllegalAesKey, StatusCodes.Status400BadRequest, "decrypt_illegalaeskey", "the EncodingAESKey is not usable");
        Row(RefusalReason.DecryptValidateAppId, StatusCodes.Status400BadRequest, "decrypt_validateappid", "the AppId inside the message is not this account's");
        Row(RefusalReason.DecryptEncryptAes, StatusCodes.Status400BadRequest, "decrypt_encryptaes", "AES encryption failed");
        Row(RefusalReason.DecryptAes, StatusCodes.Status400BadRequest, "decrypt_decryptaes", "AES decryption failed");
        Row(RefusalReason.DecryptIllegalBuffer, StatusCodes.Status400BadRequest, "decrypt_illegalbuffer", "the decrypted buffer is malformed");
        Row(RefusalReason.DecryptEncodeBase64, StatusCodes.Status400BadRequest, "decrypt_encodebase64", "Base64 encoding failed");
        Row(RefusalReason.DecryptDecodeBase64, StatusCodes.Status400BadRequest, "decrypt_decodebase64", "Encrypt is not valid Base64");
        Row(RefusalReason.DecryptGenerateReply, StatusCodes.Status400BadRequest, "decrypt_generatereply", "the encrypted reply could not be written");
        Row(RefusalReason.QueueFull, StatusCodes.Status503ServiceUnavailable, "queue_full", "the background queue is full; WeChat retries");
        Row(RefusalReason.DedupeStoreUnavailable, StatusCodes.Status503ServiceUnavailable, "dedupe_store_unavailable", "the dedupe store did not answer; WeChat retries");
        return table;
    }
}
