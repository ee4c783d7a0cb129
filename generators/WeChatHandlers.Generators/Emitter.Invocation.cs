using System.Linq;

namespace WeChatHandlers.Generators;

internal static partial class Emitter
{
    private const string Result = "global::System.Threading.Tasks.ValueTask<global::WeChatHandlers.WeChatDispatchResult>";
    private const string InvokeParameters = $"in {Route} route, in {Payload} payload, in global::WeChatHandlers.WeChatContext context, global::System.IServiceProvider services, global::System.Threading.CancellationToken cancellationToken";

    /// <summary><c>InvokeAsync</c>: a switch on the handler id, with the call inline or, in a large table, in its own method.</summary>
    private static void WriteInvoke(SourceWriter w, DispatchTableSpec table)
    {
        w.Line("/// <inheritdoc />");
        w.Open($"public override {Result} InvokeAsync({InvokeParameters})");
        w.Open("switch (route.HandlerId)");
        foreach (var invocation in table.Invocations)
        {
            w.Line($"case {invocation.Id}:");
            if (table.SplitsInvocations)
            {
                w.Indent();
                w.Line($"return Invoke{invocation.Id}(in route, in payload, in context, services, cancellationToken);");
                w.Outdent();
            }
            else
            {
                w.Open();
                WriteInvocation(w, invocation);
                w.Close();
            }
        }

        w.Block("""
            default:
                return UnknownRoute(in route);
            """);
        w.Close();
        w.Close();

        if (!table.SplitsInvocations)
        {
            return;
        }

        foreach (var invocation in table.Invocations)
        {
            w.Block($"""

                [global::System.Runtime.CompilerServices.MethodImplAttribute(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
                """);
            w.Open($"private static {Result} Invoke{invocation.Id}({InvokeParameters})");
            WriteInvocation(w, invocation);
            w.Close();
        }
    }

    /// <summary>
    /// Binds the message, resolves the handler (unless static), builds the arguments and calls it, returning its
    /// completed result. The message is bound first: a push that does not bind for this handler is refused before the
    /// handler or any of its services is constructed.
    /// </summary>
    private static void WriteInvocation(SourceWriter w, InvocationSpec invocation)
    {
        bool bindFirst = invocation.Binder is not null
            && (!invocation.IsStatic || invocation.Parameters.Any(p => p.Kind is not (ParameterKind.Message or ParameterKind.Context or ParameterKind.CancellationToken)));
        if (bindFirst)
        {
            w.Line($"var message = {BinderExpression(invocation.Binder!)};");
        }

        string receiver;
        if (invocation.IsStatic)
        {
            receiver = invocation.HandlerType;
        }
        else
        {
            w.Line($"{invocation.HandlerType} handler = {ServiceProviderExtensions}.GetRequiredService<{invocation.HandlerType}>(services);");
            receiver = "handler";
        }

        string arguments = string.Join(", ", invocation.Parameters.Select(p => p.Kind switch
        {
            ParameterKind.Message => bindFirst ? "message" : BinderExpression(invocation.Binder!),
            ParameterKind.Context => "context",
            ParameterKind.CancellationToken => "cancellationToken",
            _ => Resolve(p, "services"),
        }));
        string call = $"{receiver}.{Identifier(invocation.MethodName)}({arguments})";
        string name = Literal(invocation.HandlerName);
        if (invocation.Return == ReturnKind.Void)
        {
            w.Block($"""
                {call};
                return Completed({name});
                """);
        }
        else
        {
            w.Line($"return Completed({name}, {call});");
        }
    }

    /// <summary>The expression that builds the handler's message, passing the names the route knows as literals.</summary>
    private static string BinderExpression(BinderSpec binder) => binder.Kind switch
    {
        BinderKind.Payload => $"global::WeChatHandlers.Payloads.WeChatBinding.Bind<{binder.Argument}>(in payload)",
        BinderKind.Event => binder.Argument is null
            ? "global::WeChatHandlers.WeChatEvent.FromPayload(in payload)"
            : $"global::WeChatHandlers.WeChatEvent.FromPayload(in payload, {Literal(binder.Argument)})",
        _ => binder.Argument is null
            ? "global::WeChatHandlers.WeChatMessage.FromPayload(in payload)"
            : $"global::WeChatHandlers.WeChatMessage.FromPayload(in payload, {Literal(binder.Argument)})",
    };
}
