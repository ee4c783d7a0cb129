using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace WeChatHandlers.Generators;

/// <summary>
/// Reports the handler mistakes the generator silently skips, with live source locations (so <c>#pragma</c> works and
/// the generator's cache stays free of diagnostics). Route clashes need the whole compilation and are reported at its end.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WeChatHandlersAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MessageTypeMismatch,
        DiagnosticDescriptors.DuplicateRoute,
        DiagnosticDescriptors.BlankKey,
        DiagnosticDescriptors.InvalidPattern,
        DiagnosticDescriptors.UnsupportedReturnType,
        DiagnosticDescriptors.AsyncVoid,
        DiagnosticDescriptors.Inaccessible,
        DiagnosticDescriptors.NotConstructible,
        DiagnosticDescriptors.Generic,
        DiagnosticDescriptors.ByRefParameter,
        DiagnosticDescriptors.MultipleUnhandled,
        DiagnosticDescriptors.MultipleMessageParameters,
        DiagnosticDescriptors.UnknownEvent,
        DiagnosticDescriptors.AmbiguousConstructor,
        DiagnosticDescriptors.ConflictingTextMatch,
        DiagnosticDescriptors.PayloadNotPartial,
        DiagnosticDescriptors.UnbindableMember,
        DiagnosticDescriptors.WireNameCollision,
        DiagnosticDescriptors.UnknownPayloadField,
        DiagnosticDescriptors.ValueParameter);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName("WeChatHandlers.WeChatHandlerAttribute") is null)
            {
                return;
            }

            var known = KnownTypeSymbols.For(start.Compilation);
            var state = new RouteRegistry();
            start.RegisterSymbolAction(c => AnalyzeMethod(c, known, state), SymbolKind.Method);
            start.RegisterSymbolAction(AnalyzePayloadType, SymbolKind.NamedType);
            start.RegisterCompilationEndAction(state.ReportClashes);
        });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, KnownTypeSymbols known, RouteRegistry registry)
    {
        var method = (IMethodSymbol)context.Symbol;
        var attributes = method.GetAttributes()
            .Select(a => (Attribute: a, Kind: HandlerParser.GetAttributeKind(a.AttributeClass, known)))
            .Where(a => a.Kind is not null)
            .ToList();
        if (attributes.Count == 0)
        {
            return;
        }

        var ct = context.CancellationToken;
        var spec = HandlerParser.ParseMethod(method, known, context.ReportDiagnostic, ct);
        string handlerName = HandlerParser.GetHandlerName(method);
        foreach (var (attribute, kind) in attributes)
        {
            HandlerParser.ParseRoute(method, known, spec, attribute, kind!.Value, context.ReportDiagnostic, ct);
            if (HandlerParser.TryReadKey(method, attribute, kind.Value, report: null, ct, out var routeKind, out string key, out _))
            {
                if (routeKind == RouteKind.Event && EventCatalog.FieldsOf(key) is { } fields)
                {
                    foreach (var parameter in method.Parameters)
                    {
                        if (HandlerParser.GetMessageType(parameter.Type, known) == MessageType.Payload && parameter.Type is INamedTypeSymbol payload)
                        {
                            CheckWireNames(context, registry, payload, key, fields.Top, fields, depth: 0);
                        }
                    }
                }

                var location = attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation() ?? method.Locations.FirstOrDefault() ?? Location.None;
                registry.Add(new RouteUse(routeKind, key, handlerName, location));
            }
        }

        if (!method.IsStatic
            && HandlerParser.ChooseConstructor(method.ContainingType, out _, out bool ambiguous) is not null
            && ambiguous
            && registry.FirstAmbiguityReport(method.ContainingType))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.AmbiguousConstructor,
                method.ContainingType.Locations.FirstOrDefault(),
                method.ContainingType.ToDisplayString(),
                method.ContainingType.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).Max(c => c.Parameters.Length).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static void AnalyzePayloadType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (PayloadParser.IsPayloadType(type))
        {
            PayloadParser.Parse(type, context.ReportDiagnostic, context.CancellationToken);
        }
    }

    /// <summary>
    /// Checks a payload type's wire names against an event's documented fields: <paramref name="allowed"/> at this
    /// level, and the container's fields for members that are nested payload types or collections of them.
    /// </summary>
    private static void CheckWireNames(SymbolAnalysisContext context, RouteRegistry registry, INamedTypeSymbol type, string eventName, HashSet<string> allowed, EventCatalog.EventFields fields, int depth)
    {
        if (depth > 4)
        {
            return;
        }

        foreach (var property in PayloadParser.BindableProperties(type))
        {
            if (!PayloadParser.TryClassify(property.Type, out var value, out _, out _))
            {
                continue;
            }

            string wire = PayloadParser.WireName(property);

            // A wrapper is a field of this level too (XML's container of a list): it must be one the event documents.
            string? unknown = !allowed.Contains(wire) ? wire
                : PayloadParser.WrapperName(property) is { } wrapper && !allowed.Contains(wrapper) ? wrapper
                : null;
            if (unknown is not null)
            {
                var location = property.Locations.FirstOrDefault();
                if (location is { IsInSource: true } && registry.FirstFieldReport(property, eventName))
                {
                    string? suggestion = EventCatalog.Nearest(unknown, allowed);
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.UnknownPayloadField,
                        location,
                        type.Name,
                        property.Name,
                        unknown,
                        eventName,
                        suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?"));
                }

                continue;
            }

            if (value == ValueKind.Payload && fields.Containers.TryGetValue(wire, out var inner) && ElementType(property.Type) is { } element)
            {
                CheckWireNames(context, registry, element, eventName, inner, fields, depth + 1);
            }
        }
    }

    private static INamedTypeSymbol? ElementType(ITypeSymbol type)
    {
        var element = type switch
        {
            IArrayTypeSymbol array => array.ElementType,
            INamedTypeSymbol { Arity: 1, OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable => nullable.TypeArguments[0],
            INamedTypeSymbol { Arity: 1 } generic => generic.TypeArguments[0],
            _ => type,
        };
        return element as INamedTypeSymbol;
    }

    private sealed record RouteUse(RouteKind Kind, string Key, string HandlerName, Location Location);

    private sealed class RouteRegistry
    {
        private readonly ConcurrentQueue<RouteUse> _uses = new();
        private readonly ConcurrentDictionary<ISymbol, bool> _ambiguous = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<(string, string), bool> _fieldReports = new();

        public void Add(RouteUse use) => _uses.Enqueue(use);

        public bool FirstAmbiguityReport(INamedTypeSymbol type) => _ambiguous.TryAdd(type, true);

        // One report per member and event, however many handlers take the type.
        public bool FirstFieldReport(IPropertySymbol property, string eventName) =>
            _fieldReports.TryAdd((property.ToDisplayString(), eventName), true);

        public void ReportClashes(CompilationAnalysisContext context)
        {
            // Symbol actions run concurrently; sort so that which handler is named "first" does not depend on scheduling.
            var groups = _uses
                .OrderBy(u => u.Location.SourceTree?.FilePath, System.StringComparer.Ordinal)
                .ThenBy(u => u.Location.SourceSpan.Start)
                .GroupBy(u => (u.Kind, u.Key))
                .Where(g => g.Count() > 1);
            foreach (var group in groups)
            {
                var uses = group.ToList();
                for (int i = 0; i < uses.Count; i++)
                {
                    var other = uses[i == 0 ? 1 : 0];
                    context.ReportDiagnostic(group.Key.Kind == RouteKind.Unhandled
                        ? Diagnostic.Create(DiagnosticDescriptors.MultipleUnhandled, uses[i].Location, uses[i].HandlerName, other.HandlerName)
                        : Diagnostic.Create(DiagnosticDescriptors.DuplicateRoute, uses[i].Location, uses[i].HandlerName, other.HandlerName, Describe(group.Key.Kind, group.Key.Key)));
                }
            }
        }

        private static string Describe(RouteKind kind, string key) => kind switch
        {
            RouteKind.TextExact => $"[OnText({Emitter.Literal(key)})]",
            RouteKind.TextPrefix => $"[OnText(Prefix = {Emitter.Literal(key)})]",
            RouteKind.TextPattern => $"[OnText(Pattern = {Emitter.Literal(key)})]",
            RouteKind.TextAny => "[OnText]",
            RouteKind.Image => "[OnImage]",
            RouteKind.MiniProgramPage => "[OnMiniProgramPage]",
            RouteKind.Event => $"[OnEvent({Emitter.Literal(key)})]",
            _ => $"[OnMessage({Emitter.Literal(key)})]",
        };
    }
}
