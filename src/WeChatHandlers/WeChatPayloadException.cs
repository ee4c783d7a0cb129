namespace WeChatHandlers;

/// <summary>
/// The one exception type raised for a malformed payload: invalid XML or JSON, a forbidden construct
/// (<c>&lt;!DOCTYPE</c>, an unknown entity), a field of the wrong type, or an unrecognised format.
/// No handler runs for such a payload.
/// </summary>
public sealed class WeChatPayloadException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public WeChatPayloadException(string reason, long byteOffset)
        : base($"{reason} (at byte offset {byteOffset}).")
    {
        Reason = reason;
        ByteOffset = byteOffset;
    }

    /// <summary>What is wrong, without the offset.</summary>
    public string Reason { get; }

    /// <summary>The zero-based offset in the payload where the problem was found.</summary>
    public long ByteOffset { get; }
}
