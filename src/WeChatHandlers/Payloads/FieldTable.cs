using System.Runtime.CompilerServices;

namespace WeChatHandlers.Payloads;

/// <summary>How a field's value slice must be read.</summary>
internal enum SlotKind : byte
{
    /// <summary>Not present.</summary>
    Absent = 0,

    /// <summary>The slice is the value's UTF-8 bytes as they are (plain XML text, one CDATA section, an unescaped JSON string).</summary>
    Raw = 1,

    /// <summary>XML content that mixes text, CDATA sections, entity or character references, or carriage returns.</summary>
    XmlEncoded = 2,

    /// <summary>A JSON string with escapes; the slice is between the quotes.</summary>
    JsonEscaped = 3,
}

/// <summary>Where one field's value lies in the payload.</summary>
internal readonly struct FieldSlot(int start, int length, SlotKind kind)
{
    public readonly int Start = start;
    public readonly int Length = length;
    public readonly SlotKind Kind = kind;
}

/// <summary>One slot per <see cref="WeChatField"/>, held inline: no allocation.</summary>
[InlineArray(Count)]
internal struct FieldTable
{
    public const int Count = 16;
    private FieldSlot _first;
}
