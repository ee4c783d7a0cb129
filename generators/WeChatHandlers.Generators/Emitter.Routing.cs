using System.Linq;

namespace WeChatHandlers.Generators;

internal static partial class Emitter
{
    /// <summary><c>Route</c>: the message type, then the text or event routes, or the message type's own route.</summary>
    private static void WriteRoute(SourceWriter w, DispatchTableSpec table)
    {
        w.Line("/// <inheritdoc />");
        w.Open($"public override {Route} Route(in {Payload} payload)");
        if (table.MessageTypes.Count > 0)
        {
            w.Line($"global::System.ReadOnlySpan<byte> msgType = payload.GetUtf8({Field}.MsgType, stackalloc byte[{table.MessageTypeScratch}], out bool complete);");
            w.Open("if (complete)");
            WriteKeySwitch(w, "msgType", table.MessageTypes.Select(t => new Key(t.MessageType, $"return {MessageTypeTarget(t)};")).ToList());
            w.Close();
        }

        w.Line($"return {RouteExpression(table.Fallback)};");
        w.Close();
    }

    private static string MessageTypeTarget(MessageTypeRouteSpec route) => route.Branch switch
    {
        MessageTypeBranch.Text => "RouteText(in payload)",
        MessageTypeBranch.Event => "RouteEvent(in payload)",
        _ => RouteExpression(route.Target),
    };

    /// <summary><c>RouteText</c>: exact texts, then prefixes, then patterns, then the catch-all.</summary>
    private static void WriteRouteText(SourceWriter w, TextRoutingSpec text)
    {
        w.Open($"private static {Route} RouteText(in {Payload} payload)");
        if (text.Exact.Count > 0 || text.Prefixes.Count > 0)
        {
            w.Line($"global::System.ReadOnlySpan<byte> content = payload.GetUtf8({Field}.Content, stackalloc byte[{text.ContentScratch}], out bool {(text.Exact.Count > 0 ? "complete" : "_")});");
            if (text.Exact.Count > 0)
            {
                w.Open("if (complete)");
                WriteKeySwitch(w, "content", text.Exact.Select(r => new Key(r.Key, $"return {RouteExpression(r.Target)};")).ToList());
                w.Close();
            }

            foreach (var prefix in text.Prefixes)
            {
                w.Block($$"""
                    if ({{Memory}}.StartsWith(content, {{Literal(prefix.Key)}}u8))
                    {
                        return {{RouteExpression(prefix.Target)}};
                    }
                    """);
            }
        }

        if (text.Patterns.Count > 0)
        {
            w.Line($"string text = payload.GetString({Field}.Content);");
            for (int i = 0; i < text.Patterns.Count; i++)
            {
                w.Block($$"""
                    if (s_pattern{{i}}.IsMatch(text))
                    {
                        return {{RouteExpression(text.Patterns[i].Target, "text")}};
                    }
                    """);
            }
        }

        w.Line($"return {RouteExpression(text.Otherwise)};");
        w.Close();
    }

    /// <summary><c>RouteEvent</c>: the event name through the key switch, then the <c>event</c> fallback.</summary>
    private static void WriteRouteEvent(SourceWriter w, EventRoutingSpec events)
    {
        w.Open($"private static {Route} RouteEvent(in {Payload} payload)");
        w.Line($"global::System.ReadOnlySpan<byte> name = payload.GetUtf8({Field}.Event, stackalloc byte[{events.NameScratch}], out bool complete);");
        w.Open("if (complete)");
        WriteKeySwitch(w, "name", events.Names.Select(r => new Key(r.Key, $"return {RouteExpression(r.Target)};")).ToList());
        w.Close();
        w.Line($"return {RouteExpression(events.Otherwise)};");
        w.Close();
    }
}
