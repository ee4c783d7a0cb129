using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace WeChatHandlers.Generators;

/// <summary>
/// Reads <c>[WeChatPayload]</c> types into <see cref="PayloadSpec"/>s. The generator passes no reporter; the analyzer
/// passes one and reports each problem where it is. A member with a problem is left out of the binder (the analyzer's
/// error fails the build), so that the binder, and the dispatcher that calls it, still compile; only a type that is
/// not partial gets none.
/// </summary>
internal static class PayloadParser
{
    public const string PayloadAttribute = "WeChatHandlers.WeChatPayloadAttribute";
    public const string FieldAttribute = "WeChatHandlers.WeChatFieldAttribute";

    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    private static readonly SymbolDisplayFormat s_annotatedFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static bool IsPayloadType(ITypeSymbol type) =>
        type is INamedTypeSymbol named && named.GetAttributes().Any(a => IsAttribute(a.AttributeClass, "WeChatPayloadAttribute"));

    public static PayloadSpec? Parse(INamedTypeSymbol type, Action<Diagnostic>? report, CancellationToken cancellationToken)
    {
        bool valid = true;
        if (type.TypeParameters.Length > 0 || type.IsStatic || type.IsAbstract)
        {
            // Generic, static or abstract types have no one instance to bind: nothing to generate.
            return null;
        }

        var containers = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (!IsPartial(current, cancellationToken))
            {
                valid = false;
                Report(report, DiagnosticDescriptors.PayloadNotPartial, current.Locations.FirstOrDefault(), type.ToDisplayString(), current.Name);
                break;
            }

            if (!SymbolEqualityComparer.Default.Equals(current, type))
            {
                containers.Insert(0, Keywords(current) + " " + current.Name);
            }
        }

        var members = new List<PayloadMemberSpec>();
        var byWire = new Dictionary<string, IPropertySymbol>(StringComparer.Ordinal);
        var primary = PrimaryConstructor(type, cancellationToken);
        foreach (var property in BindableProperties(type))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string wire = WireName(property);
            string? wrapper = WrapperName(property);

            var location = property.Locations.FirstOrDefault();
            if (!TryClassify(property.Type, out var value, out var collection, out string elementType))
            {
                // The type's own member is an error to fix; an inherited one (a base class the type may not own, perhaps
                // from another assembly) is left unbound and keeps its default.
                if (SymbolEqualityComparer.Default.Equals(property.ContainingType, type))
                {
                    Report(report, DiagnosticDescriptors.UnbindableMember, location, type.Name, property.Name, property.Type.ToDisplayString());
                }

                continue;
            }

            string key = (wrapper is null ? string.Empty : wrapper + "/") + wire;
            if (byWire.TryGetValue(key, out var other))
            {
                Report(report, DiagnosticDescriptors.WireNameCollision, location, type.Name, other.Name, property.Name, wire);
                continue;
            }

            byWire.Add(key, property);
            var parameter = primary?.Parameters.FirstOrDefault(p => p.Name == property.Name);
            // A positional parameter without a default must come from the push, unless null or an empty collection
            // is a value it can take: absent, a nullable one is null and a collection empty, as for any member.
            bool required = property.IsRequired
                || (parameter is not null && !parameter.HasExplicitDefaultValue && collection == CollectionKind.None && !IsNullable(parameter.Type));
            // The collection's element type as declared, `?` kept (List<Item?>, List<string?>): the items gather in it.
            string itemType = collection != CollectionKind.None && CollectionElement(property.Type) is { } declared
                ? declared.ToDisplayString(s_annotatedFormat)
                : elementType;
            members.Add(new PayloadMemberSpec(property.Name, wire, wrapper, value, collection, elementType, required, itemType));
        }

        if (!valid)
        {
            return null;
        }

        EquatableArray<string>? chain = primary?.Parameters.Select(DefaultArgument).ToEquatableArray();
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        string metadataName = string.Join(".", containers.Select(c => c.Substring(c.LastIndexOf(' ') + 1)).Concat(new[] { type.Name }));
        return new PayloadSpec(
            (ns.Length == 0 ? string.Empty : ns + ".") + metadataName + ".WeChatPayload.g.cs",
            ns,
            containers.ToEquatableArray(),
            Keywords(type) + " " + type.Name,
            type.Name,
            type.ToDisplayString(s_typeFormat),
            chain,
            type.TypeKind == TypeKind.Class && type.InstanceConstructors.All(c => c.IsImplicitlyDeclared),
            members.ToEquatableArray());
    }

    /// <summary>
    /// The properties a binder sets: public, instance, with a public <c>set</c> or <c>init</c> (its own, or that of the
    /// property it overrides), declared on the type or inherited from any of its base classes (base members first, in
    /// declaration order). A name counts once, as its most derived declaration: a member of any kind that hides a base
    /// property (<c>new</c>, static or not public) leaves that property unbound.
    /// </summary>
    public static IEnumerable<IPropertySymbol> BindableProperties(INamedTypeSymbol type)
    {
        var levels = new List<List<IPropertySymbol>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            var level = new List<IPropertySymbol>();
            foreach (var member in current.GetMembers())
            {
                if (member.IsImplicitlyDeclared && member is not IPropertySymbol || member is IMethodSymbol { MethodKind: not MethodKind.Ordinary })
                {
                    // Accessors, constructors and compiler-made members hide nothing by name.
                    continue;
                }

                if (names.Add(member.Name) && member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property
                    && Setter(property) is { DeclaredAccessibility: Accessibility.Public })
                {
                    level.Add(property);
                }
            }

            levels.Add(level);
        }

        for (int i = levels.Count - 1; i >= 0; i--)
        {
            foreach (var property in levels[i])
            {
                yield return property;
            }
        }
    }

    // A getter-only override keeps the setter of the property it overrides: `d.Note = x` still compiles.
    private static IMethodSymbol? Setter(IPropertySymbol property)
    {
        for (var current = property; current is not null; current = current.OverriddenProperty)
        {
            if (current.SetMethod is { } setter)
            {
                return setter;
            }
        }

        return null;
    }

    /// <summary>The container the member's field may stand in: <c>[WeChatField(..., Wrapper = "X")]</c>, else null.</summary>
    public static string? WrapperName(IPropertySymbol property)
    {
        foreach (var attribute in property.GetAttributes())
        {
            if (IsAttribute(attribute.AttributeClass, "WeChatFieldAttribute"))
            {
                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "Wrapper" && named.Value.Value is string wrapper && wrapper.Length > 0)
                    {
                        return wrapper;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The member's wire name: <c>[WeChatField("name")]</c>, else its name.</summary>
    public static string WireName(IPropertySymbol property)
    {
        foreach (var attribute in property.GetAttributes())
        {
            if (IsAttribute(attribute.AttributeClass, "WeChatFieldAttribute")
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name && name.Length > 0)
            {
                return name;
            }
        }

        return property.Name;
    }

    private static bool IsNullable(ITypeSymbol type) =>
        type.NullableAnnotation == NullableAnnotation.Annotated || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

    private static ITypeSymbol? CollectionElement(ITypeSymbol type) =>
        type is IArrayTypeSymbol array ? array.ElementType : type is INamedTypeSymbol { Arity: 1 } generic ? generic.TypeArguments[0] : null;

    /// <summary>Whether <paramref name="type"/> is one the binder reads, and how.</summary>
    public static bool TryClassify(ITypeSymbol type, out ValueKind value, out CollectionKind collection, out string elementType)
    {
        collection = CollectionKind.None;
        var element = type;
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            collection = CollectionKind.Array;
            element = array.ElementType;
        }
        else if (type is INamedTypeSymbol { Arity: 1 } generic && generic.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic")
        {
            collection = generic.Name switch
            {
                "List" when generic.TypeKind == TypeKind.Class => CollectionKind.List,
                "IReadOnlyList" when generic.TypeKind == TypeKind.Interface => CollectionKind.ReadOnlyList,
                _ => CollectionKind.None,
            };
            if (collection != CollectionKind.None)
            {
                element = generic.TypeArguments[0];
            }
        }

        return TryClassifyValue(element, out value, out elementType);
    }

    private static bool TryClassifyValue(ITypeSymbol type, out ValueKind value, out string elementType)
    {
        var underlying = type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            underlying = nullable.TypeArguments[0];
        }

        elementType = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(s_typeFormat);
        switch (underlying.SpecialType)
        {
            case SpecialType.System_String:
                value = ValueKind.String;
                return true;
            case SpecialType.System_Boolean:
                value = ValueKind.Boolean;
                return true;
            case SpecialType.System_Int32:
                value = ValueKind.Int32;
                return true;
            case SpecialType.System_Int64:
                value = ValueKind.Int64;
                return true;
            case SpecialType.System_Double:
                value = ValueKind.Double;
                return true;
            case SpecialType.System_Decimal:
                value = ValueKind.Decimal;
                return true;
        }

        value = ValueKind.Payload;
        if (IsPayloadType(underlying))
        {
            elementType = underlying.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(s_typeFormat);
            return true;
        }

        return false;
    }

    private static IMethodSymbol? PrimaryConstructor(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (!type.IsRecord)
        {
            return null;
        }

        foreach (var constructor in type.InstanceConstructors)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is RecordDeclarationSyntax { ParameterList: not null })
                {
                    return constructor;
                }
            }
        }

        return null;
    }

    private static string DefaultArgument(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue || parameter.ExplicitDefaultValue is null)
        {
            return "default!";
        }

        string type = parameter.Type.ToDisplayString(s_typeFormat);
        return $"({type})({SymbolDisplay.FormatPrimitive(parameter.ExplicitDefaultValue, quoteStrings: true, useHexadecimalNumbers: false)})";
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return true;
            }
        }

        return false;
    }

    private static string Keywords(INamedTypeSymbol type)
    {
        string kind = type.IsRecord
            ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record class")
            : type.TypeKind == TypeKind.Struct ? "struct" : type.TypeKind == TypeKind.Interface ? "interface" : "class";
        return (type.TypeKind == TypeKind.Struct && type.IsReadOnly ? "readonly " : string.Empty) + "partial " + kind;
    }

    private static bool IsAttribute(INamedTypeSymbol? attribute, string name) =>
        attribute is not null && attribute.Name == name && attribute.ContainingType is null
        && attribute.ContainingNamespace?.ToDisplayString() == HandlerParser.AttributeNamespace;

    private static void Report(Action<Diagnostic>? report, DiagnosticDescriptor descriptor, Location? location, params object[] arguments) =>
        report?.Invoke(Diagnostic.Create(descriptor, location, arguments));
}
