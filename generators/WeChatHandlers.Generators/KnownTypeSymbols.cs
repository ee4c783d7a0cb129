using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace WeChatHandlers.Generators;

/// <summary>
/// The framework's and the BCL's types the handler parser recognises, looked up once per compilation. The generator
/// runs its transforms many times over one compilation (one per attributed method), and the analyzer once per symbol:
/// both share the instance of their compilation through <see cref="For"/> and compare symbols, not display strings.
/// A type missing from the compilation stays null and matches nothing.
/// </summary>
internal sealed class KnownTypeSymbols
{
    // Weak keys: an instance lives as long as its compilation, so an edited project's old compilation takes its
    // symbols with it.
    private static readonly ConditionalWeakTable<Compilation, KnownTypeSymbols> s_cache = new();

    private KnownTypeSymbols(Compilation compilation)
    {
        OnTextAttribute = compilation.GetTypeByMetadataName(HandlerParser.OnTextAttribute);
        OnImageAttribute = compilation.GetTypeByMetadataName(HandlerParser.OnImageAttribute);
        OnMiniProgramPageAttribute = compilation.GetTypeByMetadataName(HandlerParser.OnMiniProgramPageAttribute);
        OnEventAttribute = compilation.GetTypeByMetadataName(HandlerParser.OnEventAttribute);
        OnMessageAttribute = compilation.GetTypeByMetadataName(HandlerParser.OnMessageAttribute);
        OnUnhandledAttribute = compilation.GetTypeByMetadataName(HandlerParser.OnUnhandledAttribute);
        WeChatPayloadAttribute = compilation.GetTypeByMetadataName(PayloadParser.PayloadAttribute);

        TextMessage = compilation.GetTypeByMetadataName("WeChatHandlers.TextMessage");
        ImageMessage = compilation.GetTypeByMetadataName("WeChatHandlers.ImageMessage");
        MiniProgramPageMessage = compilation.GetTypeByMetadataName("WeChatHandlers.MiniProgramPageMessage");
        UserEnterTempSessionEvent = compilation.GetTypeByMetadataName("WeChatHandlers.UserEnterTempSessionEvent");
        WeChatEvent = compilation.GetTypeByMetadataName("WeChatHandlers.WeChatEvent");
        WeChatMessage = compilation.GetTypeByMetadataName("WeChatHandlers.WeChatMessage");
        WeChatContext = compilation.GetTypeByMetadataName("WeChatHandlers.WeChatContext");
        WeChatReply = compilation.GetTypeByMetadataName("WeChatHandlers.WeChatReply");

        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
    }

    public INamedTypeSymbol? OnTextAttribute { get; }

    public INamedTypeSymbol? OnImageAttribute { get; }

    public INamedTypeSymbol? OnMiniProgramPageAttribute { get; }

    public INamedTypeSymbol? OnEventAttribute { get; }

    public INamedTypeSymbol? OnMessageAttribute { get; }

    public INamedTypeSymbol? OnUnhandledAttribute { get; }

    public INamedTypeSymbol? WeChatPayloadAttribute { get; }

    public INamedTypeSymbol? TextMessage { get; }

    public INamedTypeSymbol? ImageMessage { get; }

    public INamedTypeSymbol? MiniProgramPageMessage { get; }

    public INamedTypeSymbol? UserEnterTempSessionEvent { get; }

    public INamedTypeSymbol? WeChatEvent { get; }

    public INamedTypeSymbol? WeChatMessage { get; }

    public INamedTypeSymbol? WeChatContext { get; }

    public INamedTypeSymbol? WeChatReply { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    /// <summary>The instance for <paramref name="compilation"/>, created on first use.</summary>
    public static KnownTypeSymbols For(Compilation compilation) => s_cache.GetValue(compilation, static c => new KnownTypeSymbols(c));

    /// <summary>Whether <paramref name="type"/> is <paramref name="known"/> (nullable annotations aside); never for a type the compilation lacks.</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type, known);

    /// <summary>Whether <paramref name="type"/> carries <c>[WeChatPayload]</c>.</summary>
    public bool IsPayloadType(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol named || WeChatPayloadAttribute is null)
        {
            return false;
        }

        foreach (var attribute in named.GetAttributes())
        {
            if (Is(attribute.AttributeClass, WeChatPayloadAttribute))
            {
                return true;
            }
        }

        return false;
    }
}
