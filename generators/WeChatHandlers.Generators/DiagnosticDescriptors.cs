using Microsoft.CodeAnalysis;

namespace WeChatHandlers.Generators;

/// <summary>Every diagnostic the analyzer reports. Message arguments are strings, never symbols.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "WeChatHandlers";

    public static readonly DiagnosticDescriptor MessageTypeMismatch = new(
        "WCH0001",
        "Message parameter does not fit the attribute",
        "Handler '{0}' takes '{1}', which [{2}] cannot bind; use {3}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateRoute = new(
        "WCH0002",
        "Two handlers claim the same route",
        "Handler '{0}' and handler '{1}' both claim {2}; only one is used",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor BlankKey = new(
        "WCH0003",
        "Event name, message type or text is empty",
        "The {0} of [{1}] on '{2}' is empty or blank",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidPattern = new(
        "WCH0004",
        "Invalid regular expression",
        "The pattern of [OnText] on '{0}' is not a valid regular expression: {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedReturnType = new(
        "WCH0005",
        "Unsupported handler return type",
        "Handler '{0}' returns '{1}'; return void, Task, ValueTask, WeChatReply, Task<WeChatReply> or ValueTask<WeChatReply>",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor AsyncVoid = new(
        "WCH0006",
        "Handler is async void",
        "Handler '{0}' is async void: its exceptions cannot be observed and the reply is sent before it finishes; return Task instead",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Inaccessible = new(
        "WCH0007",
        "Handler is not reachable from generated code",
        "Handler '{0}' cannot be called from generated code because {1}; make it public or internal",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotConstructible = new(
        "WCH0008",
        "Handler class cannot be constructed",
        "Handler '{0}' is an instance method, but the generated DI factory cannot construct '{1}' because {2}; make the method static or the class constructible",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Generic = new(
        "WCH0009",
        "Generic handler",
        "Handler '{0}' is generic ({1}); handlers must be non-generic methods of non-generic types",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ByRefParameter = new(
        "WCH0010",
        "ref, out or in parameter",
        "Parameter '{0}' of handler '{1}' is passed by reference ({2}); handler parameters must be passed by value",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MultipleUnhandled = new(
        "WCH0011",
        "More than one [OnUnhandled] handler",
        "Handler '{0}' and handler '{1}' are both [OnUnhandled]; an assembly has at most one fallback",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor MultipleMessageParameters = new(
        "WCH0012",
        "More than one message parameter",
        "Handler '{0}' takes more than one message parameter ('{1}' and '{2}'); take one",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownEvent = new(
        "WCH0013",
        "Event name is not in the documented catalogue",
        "Event '{0}' on '{1}' is not a documented WeChat Mini Program event{2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor AmbiguousConstructor = new(
        "WCH0014",
        "Ambiguous handler constructor",
        "'{0}' has several public constructors with {1} parameters; the generated factory uses the first one declared",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ConflictingTextMatch = new(
        "WCH0015",
        "[OnText] sets more than one match",
        "[OnText] on '{0}' sets {1}; set at most one of the exact text, Prefix and Pattern",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor PayloadNotPartial = new(
        "WCH0016",
        "Payload type is not partial",
        "[WeChatPayload] type '{0}' needs '{1}' declared partial: the generator adds its binder to it",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnbindableMember = new(
        "WCH0017",
        "Payload member type cannot be bound",
        "Member '{1}' of payload type '{0}' has type '{2}', which cannot be bound; use string, bool, int, long, double, decimal, their nullable forms, a [WeChatPayload] type, or T[], List<T> or IReadOnlyList<T> of these",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WireNameCollision = new(
        "WCH0018",
        "Two payload members bind one wire name",
        "Members '{1}' and '{2}' of payload type '{0}' both bind the field '{3}'; give one another name with [WeChatField(\"...\")]",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownPayloadField = new(
        "WCH0019",
        "Payload field is not documented for the event",
        "Member '{1}' of '{0}' binds the field '{2}', which [OnEvent(\"{3}\")] does not document{4}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ValueParameter = new(
        "WCH0020",
        "Handler parameter is a value, not a service",
        "Parameter '{0}' of '{1}' has type '{2}', which no service provider supplies; take the message type (its fields), WeChatContext, CancellationToken or a service, and read values from the message",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
