using System;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace WeChatHandlers.Generators;

/// <summary>Emits the dispatch table, binders and DI registration for WeChat handler methods.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class WeChatHandlersGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var text = Handlers(context, HandlerParser.OnTextAttribute, AttributeKind.Text, TrackingNames.TextHandlers);
        var image = Handlers(context, HandlerParser.OnImageAttribute, AttributeKind.Image, TrackingNames.ImageHandlers);
        var page = Handlers(context, HandlerParser.OnMiniProgramPageAttribute, AttributeKind.MiniProgramPage, TrackingNames.MiniProgramPageHandlers);
        var events = Handlers(context, HandlerParser.OnEventAttribute, AttributeKind.Event, TrackingNames.EventHandlers);
        var messages = Handlers(context, HandlerParser.OnMessageAttribute, AttributeKind.Message, TrackingNames.MessageHandlers);
        var unhandled = Handlers(context, HandlerParser.OnUnhandledAttribute, AttributeKind.Unhandled, TrackingNames.UnhandledHandlers);

        var all = Merge(Merge(Merge(text, image), Merge(page, events)), Merge(messages, unhandled))
            .WithTrackingName(TrackingNames.AllRoutes);

        // The assembly's name gives the public registration another assembly (the app's tests) calls by name.
        var assemblyName = context.CompilationProvider.Select(static (compilation, _) => compilation.AssemblyName ?? string.Empty);

        // The complete specs: every decision about ids, routes, binders and registration is made here, not while writing.
        var table = all.Select(static (routes, _) => DispatchTableBuilder.Build(routes)).WithTrackingName(TrackingNames.DispatchTable);
        var registration = all.Combine(assemblyName)
            .Select(static (pair, _) => RegistrationBuilder.Build(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.ServiceRegistrations);

        // The runtime assembly runs this generator for its built-in payload types only: it has no handlers of its own.
        var emitDispatcher = context.AnalyzerConfigOptionsProvider.Select(static (options, _) => EmitsDispatcher(options));

        context.RegisterSourceOutput(table.Combine(emitDispatcher), static (spc, pair) =>
        {
            if (pair.Right)
            {
                spc.AddSource(Emitter.DispatcherHintName, SourceText.From(Emitter.EmitDispatcher(pair.Left), Encoding.UTF8));
            }
        });
        context.RegisterSourceOutput(registration.Combine(emitDispatcher), static (spc, pair) =>
        {
            if (pair.Right)
            {
                spc.AddSource(Emitter.ServicesHintName, SourceText.From(Emitter.EmitServices(pair.Left), Encoding.UTF8));
            }
        });

        var payloads = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                PayloadParser.PayloadAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ctx.TargetSymbol is INamedTypeSymbol type ? PayloadParser.Parse(type, report: null, ct) : null)
            .WithTrackingName(TrackingNames.Payloads)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            // One sorted set, then one item per type again: items straight from FAWMN belong to their file, so moving a
            // type to another file would remove its binder and add it back. From the set, an item is compared with the
            // one at its place, and an unchanged type keeps its output cached.
            .Collect()
            .Select(static (specs, _) => specs.OrderBy(static s => s.HintName, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.SortedPayloads)
            .SelectMany(static (specs, _) => specs);
        context.RegisterSourceOutput(payloads, static (spc, spec) =>
            spc.AddSource(spec.HintName, SourceText.From(PayloadEmitter.Emit(spec), Encoding.UTF8)));
    }

    /// <summary>The MSBuild property <c>WeChatHandlersGenerateDispatcher</c> set to <c>false</c> turns the dispatcher off.</summary>
    private static bool EmitsDispatcher(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider options) =>
        !(options.GlobalOptions.TryGetValue("build_property.WeChatHandlersGenerateDispatcher", out string? value)
            && string.Equals(value, "false", StringComparison.OrdinalIgnoreCase));

    private static IncrementalValueProvider<EquatableArray<RouteSpec>> Handlers(
        IncrementalGeneratorInitializationContext context, string attribute, AttributeKind kind, string trackingName) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) => ctx.TargetSymbol is IMethodSymbol method
                    ? HandlerParser.ParseRoutes(method, ctx.Attributes, kind, KnownTypeSymbols.For(ctx.SemanticModel.Compilation), ct)
                    : EquatableArray<RouteSpec>.Empty)
            .WithTrackingName(trackingName)
            .SelectMany(static (routes, _) => routes)
            .Collect()
            .Select(static (routes, _) => routes.ToEquatableArray());

    private static IncrementalValueProvider<EquatableArray<RouteSpec>> Merge(
        IncrementalValueProvider<EquatableArray<RouteSpec>> left, IncrementalValueProvider<EquatableArray<RouteSpec>> right) =>
        left.Combine(right).Select(static (pair, _) => pair.Left.Concat(pair.Right).ToEquatableArray());
}
