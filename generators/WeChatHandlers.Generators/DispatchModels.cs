namespace WeChatHandlers.Generators;

/// <summary>
/// Everything the emitter needs to write the dispatcher, decided by <see cref="DispatchTableBuilder"/>: handler ids,
/// the routes at each level (message type, then content or event name), fallbacks and binders. Equatable, so the
/// dispatcher is rewritten only when one of these decisions changes.
/// </summary>
/// <param name="MessageTypes">The <c>MsgType</c> values routed at the top level, in ordinal order.</param>
/// <param name="MessageTypeScratch">The longest of them in UTF-8 bytes (the stack buffer the value is read into); 0 when there are none.</param>
/// <param name="Fallback">Where a push of any other message type goes.</param>
/// <param name="Text">The routing of <c>text</c> messages, or null when no route looks at their content.</param>
/// <param name="Events">The routing of <c>event</c> pushes by name, or null when no route names an event.</param>
/// <param name="Invocations">One per handler id, in id order.</param>
/// <param name="SplitsInvocations">Each invocation gets its own method (a large table; see <see cref="DispatchTableBuilder.SplitThreshold"/>).</param>
/// <param name="RouteTable">The routes a large table keeps in a static array, in index order; empty for small tables.</param>
internal sealed record DispatchTableSpec(
    EquatableArray<MessageTypeRouteSpec> MessageTypes,
    int MessageTypeScratch,
    RouteTargetSpec? Fallback,
    TextRoutingSpec? Text,
    EventRoutingSpec? Events,
    EquatableArray<InvocationSpec> Invocations,
    bool SplitsInvocations,
    EquatableArray<RouteTargetSpec> RouteTable);

/// <summary>
/// The route a push is given: the handler id and name and its ack mode. A null target is <c>WeChatRoute.Unhandled</c>.
/// </summary>
/// <param name="TableIndex">The route's place in <see cref="DispatchTableSpec.RouteTable"/>, or -1 when it is built where it is returned.</param>
internal sealed record RouteTargetSpec(int HandlerId, string HandlerName, int Ack, int TableIndex);

/// <summary>What the top level does with one <c>MsgType</c>.</summary>
internal enum MessageTypeBranch
{
    /// <summary>Returns <see cref="MessageTypeRouteSpec.Target"/>.</summary>
    Route,

    /// <summary>Goes on to the text routes (<c>RouteText</c>).</summary>
    Text,

    /// <summary>Goes on to the event routes (<c>RouteEvent</c>).</summary>
    Event,
}

internal sealed record MessageTypeRouteSpec(string MessageType, MessageTypeBranch Branch, RouteTargetSpec? Target);

/// <summary>A constant key (an exact text, a prefix or an event name) and the route it leads to.</summary>
internal sealed record KeyRouteSpec(string Key, RouteTargetSpec? Target);

/// <summary>The routes of <c>text</c> messages, in the order they are tried.</summary>
/// <param name="Exact">Exact texts, matched through the key switch.</param>
/// <param name="Prefixes">Prefixes, longest first (ordinal among equals).</param>
/// <param name="ContentScratch">The longest exact text or prefix in UTF-8 bytes; 0 when there are none.</param>
/// <param name="Patterns">Regular expressions in declaration order; their targets always carry the matched text.</param>
/// <param name="Otherwise">Where text nothing above matched goes (<c>[OnText]</c>, else the fallbacks).</param>
internal sealed record TextRoutingSpec(
    EquatableArray<KeyRouteSpec> Exact,
    EquatableArray<KeyRouteSpec> Prefixes,
    int ContentScratch,
    EquatableArray<KeyRouteSpec> Patterns,
    RouteTargetSpec? Otherwise);

/// <summary>The routes of <c>event</c> pushes by event name.</summary>
internal sealed record EventRoutingSpec(EquatableArray<KeyRouteSpec> Names, int NameScratch, RouteTargetSpec? Otherwise);

/// <summary>One handler id: the method called and how its message argument is built.</summary>
/// <param name="HandlerType">The <c>global::</c>-qualified class: resolved from DI, or the receiver of a static call.</param>
/// <param name="Parameters">The method's parameters in order; the <see cref="ParameterKind.Message"/> one is built by <paramref name="Binder"/>.</param>
internal sealed record InvocationSpec(
    int Id,
    string HandlerType,
    string HandlerName,
    string MethodName,
    bool IsStatic,
    ReturnKind Return,
    EquatableArray<ParameterSpec> Parameters,
    BinderSpec? Binder);

/// <summary>How a handler's message argument is built from the push.</summary>
internal enum BinderKind
{
    /// <summary><c>WeChatBinding.Bind&lt;T&gt;</c>: the type's generated binder (the seed's message types included).</summary>
    Payload,

    /// <summary><c>WeChatEvent.FromPayload</c>, passing the event name when the route knows it.</summary>
    Event,

    /// <summary><c>WeChatMessage.FromPayload</c>, passing the message type when the route knows it.</summary>
    Message,
}

/// <param name="Argument">The payload type for <see cref="BinderKind.Payload"/>; the known event name or message type otherwise, or null.</param>
internal sealed record BinderSpec(BinderKind Kind, string? Argument);
