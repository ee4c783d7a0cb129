namespace WeChatHandlers;

/// <summary>When WeChat is answered relative to the handler run.</summary>
public enum WeChatAckMode
{
    /// <summary>Use the endpoint's configured default.</summary>
    Default = 0,

    /// <summary>Answer after the handler finishes, or when the deadline passes (the handler then continues in the background).</summary>
    AfterHandler = 1,

    /// <summary>Answer <c>success</c> at once and run the handler on the bounded background queue.</summary>
    Immediately = 2,
}

/// <summary>Base class of the handler attributes. The source generator reads them at build time.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public abstract class WeChatHandlerAttribute : Attribute
{
    private protected WeChatHandlerAttribute()
    {
    }

    /// <summary>When WeChat is answered for messages routed to this handler.</summary>
    public WeChatAckMode Ack { get; set; }
}

/// <summary>
/// Handles text messages. Without arguments it takes any text not claimed by a more specific handler;
/// with a text it matches exactly; with <see cref="Prefix"/> it matches a prefix; with <see cref="Pattern"/> a regular expression.
/// Precedence: exact, then the longest prefix, then patterns in declaration order, then the catch-all.
/// </summary>
public sealed class OnTextAttribute : WeChatHandlerAttribute
{
    /// <summary>Handles any text message not claimed by a more specific text handler.</summary>
    public OnTextAttribute()
    {
    }

    /// <summary>Handles text messages whose content equals <paramref name="exact"/> (ordinal).</summary>
    public OnTextAttribute(string exact) => Exact = exact;

    /// <summary>The exact content to match (ordinal), or <see langword="null"/>.</summary>
    public string? Exact { get; }

    /// <summary>A content prefix to match (ordinal). The longest matching prefix wins.</summary>
    public string? Prefix { get; set; }

    /// <summary>A .NET regular expression the content must match. Patterns are tried in declaration order.</summary>
    public string? Pattern { get; set; }
}

/// <summary>Handles image messages (<c>MsgType</c> <c>image</c>).</summary>
public sealed class OnImageAttribute : WeChatHandlerAttribute
{
}

/// <summary>Handles mini program card messages (<c>MsgType</c> <c>miniprogrampage</c>).</summary>
public sealed class OnMiniProgramPageAttribute : WeChatHandlerAttribute
{
}

/// <summary>Handles events (<c>MsgType</c> <c>event</c>) with the given <c>Event</c> name, e.g. <c>user_enter_tempsession</c>.</summary>
public sealed class OnEventAttribute : WeChatHandlerAttribute
{
    /// <summary>Handles the event named <paramref name="eventName"/> (ordinal).</summary>
    public OnEventAttribute(string eventName) => EventName = eventName;

    /// <summary>The <c>Event</c> value to match.</summary>
    public string EventName { get; }
}

/// <summary>
/// Handles any message of the given <c>MsgType</c> that no more specific handler claims
/// (for example <c>voice</c>, a future type, or <c>event</c> for every event without an <see cref="OnEventAttribute"/> handler).
/// </summary>
public sealed class OnMessageAttribute : WeChatHandlerAttribute
{
    /// <summary>Handles messages whose <c>MsgType</c> equals <paramref name="msgType"/> (ordinal).</summary>
    public OnMessageAttribute(string msgType) => MsgType = msgType;

    /// <summary>The <c>MsgType</c> value to match.</summary>
    public string MsgType { get; }
}

/// <summary>The fallback for every message no other handler claims. At most one per assembly.</summary>
public sealed class OnUnhandledAttribute : WeChatHandlerAttribute
{
}

/// <summary>
/// Makes a <c>partial</c> class, struct, record or record struct a payload type: the source generator emits its
/// binder, and a handler's message parameter on <see cref="OnEventAttribute"/>, <see cref="OnMessageAttribute"/> or
/// <see cref="OnUnhandledAttribute"/> may be of this type. Bound members are public settable or <c>init</c>
/// properties (<c>required</c> included) and positional record parameters, of type <c>string</c>, <c>bool</c>,
/// <c>int</c>, <c>long</c>, <c>double</c>, <c>decimal</c>, their nullable forms, other payload types, and
/// <c>T[]</c>, <c>List&lt;T&gt;</c> or <c>IReadOnlyList&lt;T&gt;</c> of these.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class WeChatPayloadAttribute : Attribute
{
}

/// <summary>
/// The wire name of a payload type's member (ordinal), when it is not the member's name. On a positional record
/// parameter write <c>[property: WeChatField("name")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class WeChatFieldAttribute : Attribute
{
    /// <summary>Binds the member from the field <paramref name="name"/>.</summary>
    public WeChatFieldAttribute(string name) => Name = name;

    /// <summary>The wire name.</summary>
    public string Name { get; }

    /// <summary>
    /// A container (XML element or JSON object) the field may also stand in, as the subscribe-message events' XML
    /// wraps its <c>List</c> elements in <c>&lt;SubscribeMsgPopupEvent&gt;</c> while their JSON does not.
    /// </summary>
    public string? Wrapper { get; set; }
}
