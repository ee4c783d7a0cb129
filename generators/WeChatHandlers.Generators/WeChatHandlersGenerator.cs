using Microsoft.CodeAnalysis;

namespace WeChatHandlers.Generators;

/// <summary>Emits the dispatch table, binders and DI registration for WeChat handler methods.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class WeChatHandlersGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
