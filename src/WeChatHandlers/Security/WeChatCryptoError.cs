namespace WeChatHandlers.Security;

/// <summary>
/// Why a signature or safe-mode operation failed. The values are the error codes of WeChat's official
/// <c>WXBizMsgCrypt</c> sample, so logs and metrics line up with WeChat's documentation.
/// </summary>
public enum WeChatCryptoError
{
    /// <summary>-40001: <c>signature</c> or <c>msg_signature</c> does not match.</summary>
    ValidateSignature = -40001,

    /// <summary>-40002: the envelope is not well-formed XML or JSON, or has no <c>Encrypt</c> field.</summary>
    ParseEnvelope = -40002,

    /// <summary>-40003: the SHA-1 signature could not be computed.</summary>
    ComputeSignature = -40003,

    /// <summary>-40004: the EncodingAESKey is not 43 Base64 characters encoding a 32-byte key.</summary>
    IllegalAesKey = -40004,

    /// <summary>-40005: the AppId inside the decrypted message is not the configured AppId.</summary>
    ValidateAppId = -40005,

    /// <summary>-40006: AES encryption failed.</summary>
    EncryptAes = -40006,

    /// <summary>-40007: AES decryption failed, including a ciphertext that is not a whole number of blocks.</summary>
    DecryptAes = -40007,

    /// <summary>-40008: the decrypted buffer is malformed: bad PKCS#7 padding or an out-of-bounds length field.</summary>
    IllegalBuffer = -40008,

    /// <summary>-40009: Base64 encoding failed.</summary>
    EncodeBase64 = -40009,

    /// <summary>-40010: the <c>Encrypt</c> value is not valid Base64.</summary>
    DecodeBase64 = -40010,

    /// <summary>-40011: the encrypted reply envelope could not be written.</summary>
    GenerateReply = -40011,
}
