namespace WeChatHandlers.Generators;

/// <summary>Which handler attribute a method carries.</summary>
internal enum AttributeKind
{
    Text,
    Image,
    MiniProgramPage,
    Event,
    Message,
    Unhandled,
}

/// <summary>What a route matches. The order of the members is the order routes are emitted and sorted in.</summary>
internal enum RouteKind
{
    TextExact,
    TextPrefix,
    TextPattern,
    TextAny,
    Image,
    MiniProgramPage,
    Event,
    Message,
    Unhandled,
}

/// <summary>The message type a handler takes, if any.</summary>
internal enum MessageType
{
    None,
    Text,
    Image,
    MiniProgramPage,
    UserEnterTempSession,
    Event,
    Message,

    /// <summary>A <c>[WeChatPayload]</c> type, bound by its generated binder.</summary>
    Payload,
}

internal enum ParameterKind
{
    Message,
    Context,
    CancellationToken,
    RequiredService,
    OptionalService,
}

internal enum ReturnKind
{
    Void,
    Task,
    ValueTask,
    Reply,
    TaskOfReply,
    ValueTaskOfReply,
}

/// <summary>A parameter of a handler method or of a handler class's constructor; <c>Type</c> is <c>global::</c>-qualified.</summary>
internal sealed record ParameterSpec(ParameterKind Kind, string Type);

/// <summary>A handler method. Instances of the class come from DI through the generated factory.</summary>
/// <param name="ContainingType">The <c>global::</c>-qualified class.</param>
/// <param name="HandlerName">The <c>Type.Method</c> name reported in routes and results.</param>
/// <param name="ConstructorParameters">The constructor the DI factory calls; empty for static handlers.</param>
internal sealed record MethodSpec(
    string ContainingType,
    string HandlerName,
    string MethodName,
    bool IsStatic,
    ReturnKind Return,
    MessageType MessageType,
    EquatableArray<ParameterSpec> Parameters,
    EquatableArray<ParameterSpec> ConstructorParameters);

/// <summary>One attribute on one handler method.</summary>
/// <param name="Key">The exact text, prefix, pattern, event name or message type; empty for keyless routes.</param>
/// <param name="Ack">The <c>WeChatAckMode</c> value.</param>
/// <param name="Order">Declaration order inside the class, used only to order patterns (0 for other kinds, so moving code does not change the model).</param>
internal sealed record RouteSpec(RouteKind Kind, string Key, int Ack, int Order, MethodSpec Method);
