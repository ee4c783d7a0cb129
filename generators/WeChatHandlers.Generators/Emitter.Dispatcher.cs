namespace WeChatHandlers.Generators;

internal static partial class Emitter
{
    /// <summary>The dispatcher class: its pattern fields, the routing methods, the invocation switch and a large table's routes.</summary>
    public static string EmitDispatcher(DispatchTableSpec table)
    {
        var w = new SourceWriter();
        w.Line(Header);
        w.Open($"namespace {DispatcherNamespace}");
        w.Block($"""
            /// <summary>Routes pushes to this assembly's handler methods. Generated from their attributes.</summary>
            {s_generatedCode}
            [global::System.Diagnostics.DebuggerNonUserCodeAttribute]
            [global::System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverageAttribute]
            [global::System.ComponentModel.EditorBrowsableAttribute(global::System.ComponentModel.EditorBrowsableState.Never)]
            """);
        w.Open($"internal sealed class {DispatcherName} : global::WeChatHandlers.WeChatDispatcherBase");
        if (table.Text is { Patterns.Count: > 0 } text)
        {
            WritePatternFields(w, text.Patterns);
            w.Line();
        }

        WriteRoute(w, table);
        if (table.Text is not null)
        {
            w.Line();
            WriteRouteText(w, table.Text);
        }

        if (table.Events is not null)
        {
            w.Line();
            WriteRouteEvent(w, table.Events);
        }

        w.Line();
        WriteInvoke(w, table);
        if (table.RouteTable.Count > 0)
        {
            w.Line();
            WriteRouteTable(w, table.RouteTable);
        }

        w.Close();
        w.Close();
        return w.ToString();
    }

    private static void WritePatternFields(SourceWriter w, EquatableArray<KeyRouteSpec> patterns)
    {
        for (int i = 0; i < patterns.Count; i++)
        {
            // The text is the user's: a match timeout bounds what a backtracking pattern can cost on hostile input.
            w.Line($"private static readonly {Regex} s_pattern{i} = new {Regex}({Literal(patterns[i].Key)}, global::System.Text.RegularExpressions.RegexOptions.CultureInvariant, global::System.TimeSpan.FromMilliseconds(250));");
        }
    }

    /// <summary>A large table's routes, read through a call (every read of a struct field holding a reference is its own zeroed temporary).</summary>
    private static void WriteRouteTable(SourceWriter w, EquatableArray<RouteTargetSpec> routes)
    {
        w.Open($"private static readonly {Route}[] s_routes =");
        foreach (var route in routes)
        {
            w.Line($"{NewRoute(route)},");
        }

        w.Close("};");
        w.Block($"""

            [global::System.Runtime.CompilerServices.MethodImplAttribute(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
            private static {Route} RouteAt(int index) => s_routes[index];
            """);
    }

    /// <summary>The expression that returns <paramref name="target"/>: the table read of a large table, else a new route.</summary>
    private static string RouteExpression(RouteTargetSpec? target, string? text = null) => target switch
    {
        null => $"{Route}.Unhandled",
        { TableIndex: >= 0 } => $"RouteAt({target.TableIndex})",
        _ => NewRoute(target, text),
    };

    private static string NewRoute(RouteTargetSpec target, string? text = null) =>
        $"new {Route}({target.HandlerId}, {Literal(target.HandlerName)}, {Ack(target.Ack)}{(text is null ? string.Empty : ", " + text)})";

    private static string Ack(int value) => value switch
    {
        0 => "global::WeChatHandlers.WeChatAckMode.Default",
        1 => "global::WeChatHandlers.WeChatAckMode.AfterHandler",
        2 => "global::WeChatHandlers.WeChatAckMode.Immediately",
        _ => $"(global::WeChatHandlers.WeChatAckMode)({value})",
    };
}
