namespace WeChatHandlers.Security;

/// <summary>
/// The one exception type raised for a signature or safe-mode failure. <see cref="Error"/> tells which check failed
/// (its value is the official error code). Messages never contain the token, the key, or any plaintext.
/// </summary>
public sealed class WeChatCryptoException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">Which check failed.</param>
    /// <param name="message">What failed, free of secrets and plaintext.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public WeChatCryptoException(WeChatCryptoError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Which check failed.</summary>
    public WeChatCryptoError Error { get; }

    /// <summary>The official numeric error code (-40001 … -40011).</summary>
    public int Code => (int)Error;
}
