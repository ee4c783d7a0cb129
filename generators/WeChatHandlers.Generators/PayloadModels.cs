namespace WeChatHandlers.Generators;

/// <summary>How one bound value is read.</summary>
internal enum ValueKind
{
    String,
    Boolean,
    Int32,
    Int64,
    Double,
    Decimal,
    Payload,
}

/// <summary>The collection shape of a member, if any.</summary>
internal enum CollectionKind
{
    None,
    Array,
    List,
    ReadOnlyList,
}

/// <summary>One bound member of a payload type.</summary>
/// <param name="Name">The property's name (an identifier).</param>
/// <param name="WireName">The field name on the wire.</param>
/// <param name="Wrapper">A container the field may also stand in, or null.</param>
/// <param name="ElementType">The <c>global::</c>-qualified value type (the element type of a collection, without <c>?</c> for payload types).</param>
/// <param name="ItemType">A collection's element type as declared (<c>?</c> kept: a list of nullable payload structs); else <paramref name="ElementType"/>.</param>
/// <param name="Required">Absent is malformed: a <c>required</c> member or a positional parameter without a default.</param>
internal sealed record PayloadMemberSpec(
    string Name,
    string WireName,
    string? Wrapper,
    ValueKind Value,
    CollectionKind Collection,
    string ElementType,
    bool Required,
    string ItemType);

/// <summary>Everything the emitter needs to write one payload type's binder, decided by <see cref="PayloadParser"/>.</summary>
/// <param name="HintName">The generated file's hint name.</param>
/// <param name="Namespace">The type's namespace, or empty for the global namespace.</param>
/// <param name="Containers">Declarations of the containing types, outermost first (<c>partial class Outer</c>).</param>
/// <param name="Declaration">The type's partial declaration keywords and name (<c>partial record struct Point</c>).</param>
/// <param name="FullName">The <c>global::</c>-qualified type name.</param>
/// <param name="ChainArguments">Arguments for <c>: this(...)</c> to a record's primary constructor, or null when there is none.</param>
/// <param name="KeepsDefaultConstructor">A class with only the implicit constructor: adding the binder's would remove it, so it is declared.</param>
internal sealed record PayloadSpec(
    string HintName,
    string Namespace,
    EquatableArray<string> Containers,
    string Declaration,
    string Name,
    string FullName,
    EquatableArray<string>? ChainArguments,
    bool KeepsDefaultConstructor,
    EquatableArray<PayloadMemberSpec> Members);
