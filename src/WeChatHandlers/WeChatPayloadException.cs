namespace WeChatHandlers;

/// <summary>
/// The one exception type raised for a malformed payload: invalid XML or JSON, a forbidden construct
/// (<c>&lt;!DOCTYPE</c>, an unknown entity), a missing header, a field of the wrong type, a missing required
/// field of a payload type, or an unrecognised format. No handler runs for such a payload.
/// </summary>
public sealed class WeChatPayloadException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public WeChatPayloadException(string reason, long byteOffset)
        : this(reason, byteOffset, null)
    {
    }

    /// <summary>Creates the exception for the field at <paramref name="fieldPath"/> (<c>a</c>, <c>a.b</c>, <c>a[2].b</c>).</summary>
    public WeChatPayloadException(string reason, long byteOffset, string? fieldPath)
        : base(fieldPath is null ? $"{reason} (at byte offset {byteOffset})." : $"Field '{fieldPath}' {reason} (at byte offset {byteOffset}).")
    {
        Reason = reason;
        ByteOffset = byteOffset;
        FieldPath = fieldPath;
    }

    /// <summary>What is wrong, without the offset or the field path.</summary>
    public string Reason { get; }

    /// <summary>The zero-based offset in the payload where the problem was found.</summary>
    public long ByteOffset { get; }

    /// <summary>The path of the field that could not be bound (<c>detail[1].prob</c>), when the problem is one field's.</summary>
    public string? FieldPath { get; }

    /// <summary>The same problem, seen from the container <paramref name="name"/> (item <paramref name="index"/> of it, if a collection).</summary>
    public WeChatPayloadException Within(string name, int index = -1)
    {
        string prefix = index < 0 ? name : $"{name}[{index}]";
        return new(Reason, ByteOffset, FieldPath is null ? prefix : $"{prefix}.{FieldPath}");
    }
}
