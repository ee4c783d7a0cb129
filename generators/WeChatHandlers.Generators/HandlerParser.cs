using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace WeChatHandlers.Generators;

/// <summary>
/// Reads handler methods into models. Shared by the generator, which passes no reporter and skips whatever is
/// invalid, and the analyzer, which passes one and reports every problem with its source location.
/// </summary>
internal static class HandlerParser
{
    public const string AttributeNamespace = "WeChatHandlers";
    public const string OnTextAttribute = "WeChatHandlers.OnTextAttribute";
    public const string OnImageAttribute = "WeChatHandlers.OnImageAttribute";
    public const string OnMiniProgramPageAttribute = "WeChatHandlers.OnMiniProgramPageAttribute";
    public const string OnEventAttribute = "WeChatHandlers.OnEventAttribute";
    public const string OnMessageAttribute = "WeChatHandlers.OnMessageAttribute";
    public const string OnUnhandledAttribute = "WeChatHandlers.OnUnhandledAttribute";

    public const string UserEnterTempSession = "user_enter_tempsession";

    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    public static AttributeKind? GetAttributeKind(INamedTypeSymbol? attributeClass, KnownTypeSymbols known)
    {
        if (attributeClass is null)
        {
            return null;
        }

        return KnownTypeSymbols.Is(attributeClass, known.OnTextAttribute) ? AttributeKind.Text
            : KnownTypeSymbols.Is(attributeClass, known.OnImageAttribute) ? AttributeKind.Image
            : KnownTypeSymbols.Is(attributeClass, known.OnMiniProgramPageAttribute) ? AttributeKind.MiniProgramPage
            : KnownTypeSymbols.Is(attributeClass, known.OnEventAttribute) ? AttributeKind.Event
            : KnownTypeSymbols.Is(attributeClass, known.OnMessageAttribute) ? AttributeKind.Message
            : KnownTypeSymbols.Is(attributeClass, known.OnUnhandledAttribute) ? AttributeKind.Unhandled
            : null;
    }

    /// <summary>The generator's entry: every route of one attribute kind on one method, or nothing when the method is invalid.</summary>
    public static EquatableArray<RouteSpec> ParseRoutes(IMethodSymbol method, ImmutableArray<AttributeData> attributes, AttributeKind kind, KnownTypeSymbols known, CancellationToken cancellationToken)
    {
        var spec = ParseMethod(method, known, report: null, cancellationToken);
        if (spec is null)
        {
            return EquatableArray<RouteSpec>.Empty;
        }

        var routes = new List<RouteSpec>(attributes.Length);
        foreach (var attribute in attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var route = ParseRoute(method, known, spec, attribute, kind, report: null, cancellationToken);
            if (route is null)
            {
                // One invalid attribute makes the method's binding questionable; the analyzer explains why.
                return EquatableArray<RouteSpec>.Empty;
            }

            routes.Add(route);
        }

        return routes.ToEquatableArray();
    }

    /// <summary>Checks everything about a handler that does not depend on its attributes.</summary>
    public static MethodSpec? ParseMethod(IMethodSymbol method, KnownTypeSymbols known, Action<Diagnostic>? report, CancellationToken cancellationToken)
    {
        bool valid = true;
        string handlerName = GetHandlerName(method);
        var methodLocation = method.Locations.FirstOrDefault();

        if (method.IsGenericMethod)
        {
            valid = false;
            Report(report, DiagnosticDescriptors.Generic, methodLocation, handlerName, "the method has type parameters");
        }

        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.TypeParameters.Length > 0)
            {
                valid = false;
                Report(report, DiagnosticDescriptors.Generic, methodLocation, handlerName, $"'{type.Name}' has type parameters");
                break;
            }
        }

        if (GetInaccessibleReason(method) is { } inaccessible)
        {
            valid = false;
            Report(report, DiagnosticDescriptors.Inaccessible, methodLocation, handlerName, inaccessible);
        }

        var returnKind = GetReturnKind(method.ReturnType, known);
        if (returnKind is null)
        {
            valid = false;
            Report(report, DiagnosticDescriptors.UnsupportedReturnType, methodLocation, handlerName, method.ReturnType.ToDisplayString());
        }
        else if (returnKind == ReturnKind.Void && method.IsAsync)
        {
            valid = false;
            Report(report, DiagnosticDescriptors.AsyncVoid, methodLocation, handlerName);
        }

        var parameters = new List<ParameterSpec>(method.Parameters.Length);
        IParameterSymbol? messageParameter = null;
        var messageType = MessageType.None;
        foreach (var parameter in method.Parameters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (parameter.RefKind != RefKind.None)
            {
                valid = false;
                Report(report, DiagnosticDescriptors.ByRefParameter, parameter.Locations.FirstOrDefault(), parameter.Name, handlerName, parameter.RefKind.ToString().ToLowerInvariant());
            }

            var parameterMessageType = GetMessageType(parameter.Type, known);
            if (parameterMessageType != MessageType.None)
            {
                if (messageParameter is not null)
                {
                    valid = false;
                    Report(report, DiagnosticDescriptors.MultipleMessageParameters, parameter.Locations.FirstOrDefault(), handlerName, messageParameter.Type.Name, parameter.Type.Name);
                }
                else
                {
                    messageParameter = parameter;
                    messageType = parameterMessageType;
                }

                parameters.Add(new ParameterSpec(ParameterKind.Message, parameter.Type.ToDisplayString(s_typeFormat)));
            }
            else if (IsValueParameter(parameter.Type))
            {
                // A string or a number cannot come from DI: it would compile, then fail on every push at run time.
                valid = false;
                Report(report, DiagnosticDescriptors.ValueParameter, parameter.Locations.FirstOrDefault(), parameter.Name, handlerName, parameter.Type.ToDisplayString());
            }
            else
            {
                parameters.Add(ToParameterSpec(parameter, known));
            }
        }

        var constructorParameters = EquatableArray<ParameterSpec>.Empty;
        if (!method.IsStatic)
        {
            var constructor = ChooseConstructor(method.ContainingType, out string? reason, out _);
            if (constructor is null)
            {
                valid = false;
                Report(report, DiagnosticDescriptors.NotConstructible, methodLocation, handlerName, method.ContainingType.ToDisplayString(), reason ?? "it has no usable constructor");
            }
            else
            {
                constructorParameters = constructor.Parameters.Select(p => ToParameterSpec(p, known)).ToEquatableArray();
            }
        }

        if (!valid)
        {
            return null;
        }

        return new MethodSpec(
            method.ContainingType.ToDisplayString(s_typeFormat),
            handlerName,
            method.Name,
            method.IsStatic,
            returnKind!.Value,
            messageType,
            parameters.ToEquatableArray(),
            constructorParameters);
    }

    /// <summary>
    /// Reads one attribute's route key and checks it. <paramref name="method"/> is only used for messages.
    /// Returns <see langword="false"/> when the key itself is unusable.
    /// </summary>
    public static bool TryReadKey(IMethodSymbol method, AttributeData attribute, AttributeKind kind, Action<Diagnostic>? report, CancellationToken cancellationToken, out RouteKind routeKind, out string key, out int ack)
    {
        ack = 0;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Ack" && named.Value.Value is int value)
            {
                ack = value;
            }
        }

        key = string.Empty;
        routeKind = RouteKind.Unhandled;
        string handlerName = GetHandlerName(method);
        switch (kind)
        {
            case AttributeKind.Text:
                return TryReadTextKey(attribute, handlerName, report, cancellationToken, out routeKind, out key);
            case AttributeKind.Image:
                routeKind = RouteKind.Image;
                return true;
            case AttributeKind.MiniProgramPage:
                routeKind = RouteKind.MiniProgramPage;
                return true;
            case AttributeKind.Unhandled:
                routeKind = RouteKind.Unhandled;
                return true;
            case AttributeKind.Event:
                routeKind = RouteKind.Event;
                key = FirstArgument(attribute) ?? string.Empty;
                if (string.IsNullOrWhiteSpace(key))
                {
                    Report(report, DiagnosticDescriptors.BlankKey, AttributeLocation(attribute, cancellationToken), "event name", "OnEvent", handlerName);
                    return false;
                }

                if (report is not null && !EventCatalog.IsKnown(key))
                {
                    string? suggestion = EventCatalog.Suggest(key);
                    Report(report, DiagnosticDescriptors.UnknownEvent, AttributeLocation(attribute, cancellationToken), key, handlerName, suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?");
                }

                return true;
            case AttributeKind.Message:
                routeKind = RouteKind.Message;
                key = FirstArgument(attribute) ?? string.Empty;
                if (string.IsNullOrWhiteSpace(key))
                {
                    Report(report, DiagnosticDescriptors.BlankKey, AttributeLocation(attribute, cancellationToken), "message type", "OnMessage", handlerName);
                    return false;
                }

                return true;
            default:
                return false;
        }
    }

    private static bool TryReadTextKey(AttributeData attribute, string handlerName, Action<Diagnostic>? report, CancellationToken cancellationToken, out RouteKind routeKind, out string key)
    {
        bool hasExact = attribute.ConstructorArguments.Length == 1;
        string? exact = hasExact ? attribute.ConstructorArguments[0].Value as string : null;
        string? prefix = null;
        string? pattern = null;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Prefix")
            {
                prefix = named.Value.Value as string;
            }
            else if (named.Key == "Pattern")
            {
                pattern = named.Value.Value as string;
            }
        }

        var set = new List<string>(3);
        if (hasExact)
        {
            set.Add("an exact text");
        }

        if (prefix is not null)
        {
            set.Add("Prefix");
        }

        if (pattern is not null)
        {
            set.Add("Pattern");
        }

        routeKind = RouteKind.TextAny;
        key = string.Empty;
        if (set.Count > 1)
        {
            Report(report, DiagnosticDescriptors.ConflictingTextMatch, AttributeLocation(attribute, cancellationToken), handlerName, string.Join(" and ", set));
            return false;
        }

        string what;
        if (hasExact)
        {
            (routeKind, key, what) = (RouteKind.TextExact, exact ?? string.Empty, "exact text");
        }
        else if (prefix is not null)
        {
            (routeKind, key, what) = (RouteKind.TextPrefix, prefix, "prefix");
        }
        else if (pattern is not null)
        {
            (routeKind, key, what) = (RouteKind.TextPattern, pattern, "pattern");
        }
        else
        {
            return true;
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            Report(report, DiagnosticDescriptors.BlankKey, AttributeLocation(attribute, cancellationToken), what, "OnText", handlerName);
            return false;
        }

        if (routeKind == RouteKind.TextPattern && GetPatternError(key) is { } error)
        {
            Report(report, DiagnosticDescriptors.InvalidPattern, AttributeLocation(attribute, cancellationToken), handlerName, error);
            return false;
        }

        return true;
    }

    /// <summary>Reads and checks one attribute of a method whose own checks passed (<paramref name="spec"/> non-null) or not.</summary>
    public static RouteSpec? ParseRoute(IMethodSymbol method, KnownTypeSymbols known, MethodSpec? spec, AttributeData attribute, AttributeKind kind, Action<Diagnostic>? report, CancellationToken cancellationToken)
    {
        if (!TryReadKey(method, attribute, kind, report, cancellationToken, out var routeKind, out string key, out int ack))
        {
            return null;
        }

        var messageParameter = method.Parameters.FirstOrDefault(p => GetMessageType(p.Type, known) != MessageType.None);
        if (messageParameter is not null && !Fits(routeKind, key, GetMessageType(messageParameter.Type, known)))
        {
            Report(
                report,
                DiagnosticDescriptors.MessageTypeMismatch,
                messageParameter.Locations.FirstOrDefault(),
                GetHandlerName(method),
                messageParameter.Type.Name,
                DescribeAttribute(kind, key),
                string.Join(" or ", FittingTypes(routeKind, key)));
            return null;
        }

        if (spec is null)
        {
            return null;
        }

        int order = routeKind == RouteKind.TextPattern ? DeclarationOrder(method, attribute) : 0;
        return new RouteSpec(routeKind, key, ack, order, spec);
    }

    /// <summary>
    /// The constructor the generated factory calls. The rule: the only public constructor, or else the public one
    /// with the most parameters (the first declared on a tie; the analyzer warns). For handler classes with one
    /// constructor, or one clearly longest, this is the constructor Microsoft.Extensions.DependencyInjection would pick.
    /// </summary>
    public static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, out string? reason, out bool ambiguous)
    {
        ambiguous = false;
        reason = null;
        if (type.TypeKind != TypeKind.Class)
        {
            reason = $"it is a {type.TypeKind.ToString().ToLowerInvariant()}, not a class";
            return null;
        }

        if (type.IsAbstract || type.IsStatic)
        {
            reason = type.IsStatic ? "it is static" : "it is abstract";
            return null;
        }

        var candidates = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        if (candidates.Count == 0)
        {
            reason = "it has no public constructor";
            return null;
        }

        int most = candidates.Max(c => c.Parameters.Length);
        var longest = candidates.Where(c => c.Parameters.Length == most).ToList();
        ambiguous = longest.Count > 1;
        var chosen = longest[0];
        if (chosen.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            reason = "its constructor takes a ref, out or in parameter";
            return null;
        }

        if (HasRequiredMembers(type) && !chosen.GetAttributes().Any(a => a.AttributeClass is { Name: "SetsRequiredMembersAttribute" }))
        {
            reason = "it has required members";
            return null;
        }

        return chosen;
    }

    public static string GetHandlerName(IMethodSymbol method)
    {
        var names = new List<string>();
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            names.Add(type.Name);
        }

        names.Reverse();
        names.Add(method.Name);
        return string.Join(".", names);
    }

    public static MessageType GetMessageType(ITypeSymbol type, KnownTypeSymbols known)
    {
        if (type is not INamedTypeSymbol named)
        {
            return MessageType.None;
        }

        return KnownTypeSymbols.Is(named, known.TextMessage) ? MessageType.Text
            : KnownTypeSymbols.Is(named, known.ImageMessage) ? MessageType.Image
            : KnownTypeSymbols.Is(named, known.MiniProgramPageMessage) ? MessageType.MiniProgramPage
            : KnownTypeSymbols.Is(named, known.UserEnterTempSessionEvent) ? MessageType.UserEnterTempSession
            : KnownTypeSymbols.Is(named, known.WeChatEvent) ? MessageType.Event
            : KnownTypeSymbols.Is(named, known.WeChatMessage) ? MessageType.Message
            : known.IsPayloadType(named) ? MessageType.Payload
            : MessageType.None;
    }

    public static bool Fits(RouteKind route, string key, MessageType type) =>
        type == MessageType.None || FittingMessageTypes(route, key).Contains(type);

    private static IEnumerable<MessageType> FittingMessageTypes(RouteKind route, string key)
    {
        if (route is RouteKind.Event or RouteKind.Message or RouteKind.Unhandled)
        {
            yield return MessageType.Payload;
        }

        switch (route)
        {
            case RouteKind.TextExact or RouteKind.TextPrefix or RouteKind.TextPattern or RouteKind.TextAny:
                yield return MessageType.Text;
                break;
            case RouteKind.Image:
                yield return MessageType.Image;
                break;
            case RouteKind.MiniProgramPage:
                yield return MessageType.MiniProgramPage;
                break;
            case RouteKind.Event:
                if (key == UserEnterTempSession)
                {
                    yield return MessageType.UserEnterTempSession;
                }

                yield return MessageType.Event;
                break;
            case RouteKind.Message:
                switch (key)
                {
                    case "text":
                        yield return MessageType.Text;
                        break;
                    case "image":
                        yield return MessageType.Image;
                        break;
                    case "miniprogrampage":
                        yield return MessageType.MiniProgramPage;
                        break;
                    case "event":
                        yield return MessageType.Event;
                        break;
                }

                break;
        }

        yield return MessageType.Message;
    }

    private static IEnumerable<string> FittingTypes(RouteKind route, string key) =>
        FittingMessageTypes(route, key).Select(t => t switch
        {
            MessageType.Text => "TextMessage",
            MessageType.Image => "ImageMessage",
            MessageType.MiniProgramPage => "MiniProgramPageMessage",
            MessageType.UserEnterTempSession => "UserEnterTempSessionEvent",
            MessageType.Event => "WeChatEvent",
            MessageType.Payload => "a [WeChatPayload] type",
            _ => "WeChatMessage",
        });

    private static string DescribeAttribute(AttributeKind kind, string key) => kind switch
    {
        AttributeKind.Text => "OnText",
        AttributeKind.Image => "OnImage",
        AttributeKind.MiniProgramPage => "OnMiniProgramPage",
        AttributeKind.Event => $"OnEvent(\"{key}\")",
        AttributeKind.Message => $"OnMessage(\"{key}\")",
        _ => "OnUnhandled",
    };

    public static string? GetPatternError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return null;
        }
        catch (ArgumentException e)
        {
            // The exception is the answer: the user's pattern does not parse, and its message says where.
            return e.Message;
        }
    }

    private static ParameterSpec ToParameterSpec(IParameterSymbol parameter, KnownTypeSymbols known)
    {
        string typeName = parameter.Type.ToDisplayString(s_typeFormat);
        if (KnownTypeSymbols.Is(parameter.Type, known.WeChatContext))
        {
            return new ParameterSpec(ParameterKind.Context, typeName);
        }

        if (KnownTypeSymbols.Is(parameter.Type, known.CancellationToken))
        {
            return new ParameterSpec(ParameterKind.CancellationToken, typeName);
        }

        bool optional = parameter.Type.IsReferenceType
            && (parameter.NullableAnnotation == NullableAnnotation.Annotated || (parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is null));
        return new ParameterSpec(optional ? ParameterKind.OptionalService : ParameterKind.RequiredService, typeName);
    }

    /// <summary>A primitive, <c>string</c>, an enum, or a nullable of one: a value, never a service.</summary>
    private static bool IsValueParameter(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.TypeKind == TypeKind.Enum || type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_String
            or SpecialType.System_IntPtr or SpecialType.System_UIntPtr or SpecialType.System_DateTime;
    }

    private static ReturnKind? GetReturnKind(ITypeSymbol type, KnownTypeSymbols known)
    {
        if (type.SpecialType == SpecialType.System_Void)
        {
            return ReturnKind.Void;
        }

        if (type is not INamedTypeSymbol named)
        {
            return null;
        }

        if (KnownTypeSymbols.Is(named, known.WeChatReply))
        {
            return ReturnKind.Reply;
        }

        if (KnownTypeSymbols.Is(named, known.Task))
        {
            return ReturnKind.Task;
        }

        if (KnownTypeSymbols.Is(named, known.ValueTask))
        {
            return ReturnKind.ValueTask;
        }

        if (named.Arity == 1 && KnownTypeSymbols.Is(named.TypeArguments[0], known.WeChatReply))
        {
            if (KnownTypeSymbols.Is(named.OriginalDefinition, known.TaskOfT))
            {
                return ReturnKind.TaskOfReply;
            }

            if (KnownTypeSymbols.Is(named.OriginalDefinition, known.ValueTaskOfT))
            {
                return ReturnKind.ValueTaskOfReply;
            }
        }

        return null;
    }

    private static string? GetInaccessibleReason(IMethodSymbol method)
    {
        if (Describe(method.DeclaredAccessibility) is { } methodAccess)
        {
            return $"it is {methodAccess}";
        }

        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (Describe(type.DeclaredAccessibility) is { } typeAccess)
            {
                return $"'{type.Name}' is {typeAccess}";
            }

            if (type.IsFileLocal)
            {
                return $"'{type.Name}' is file-local";
            }
        }

        return null;

        static string? Describe(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Private => "private",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => null,
        };
    }

    private static bool HasRequiredMembers(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true })
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int DeclarationOrder(IMethodSymbol method, AttributeData attribute)
    {
        // Patterns are tried in declaration order: the method's place among its class's members, then the attribute's place on it.
        int member = method.ContainingType.GetMembers().IndexOf(method, SymbolEqualityComparer.Default);
        var attributes = method.GetAttributes();
        int position = 0;
        for (int i = 0; i < attributes.Length; i++)
        {
            if (ReferenceEquals(attributes[i], attribute))
            {
                position = i;
                break;
            }
        }

        return (member * 256) + position;
    }

    private static string? FirstArgument(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;

    private static Location? AttributeLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();

    private static void Report(Action<Diagnostic>? report, DiagnosticDescriptor descriptor, Location? location, params object[] arguments)
    {
        report?.Invoke(Diagnostic.Create(descriptor, location, arguments));
    }
}
