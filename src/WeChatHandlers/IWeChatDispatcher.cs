using WeChatHandlers.Payloads;

namespace WeChatHandlers;

/// <summary>
/// Routes a plaintext push to the handler the source generator chose for it and runs that handler.
/// <c>services.AddWeChatHandlers()</c> (generated per assembly) registers the implementation.
/// </summary>
public interface IWeChatDispatcher
{
    /// <summary>
    /// Scans and dispatches one plaintext payload; the format is sniffed from its first non-whitespace byte.
    /// Handlers and their services are resolved from <paramref name="services"/>; no scope is created.
    /// </summary>
    /// <exception cref="WeChatPayloadException">The payload is malformed; no handler ran.</exception>
    ValueTask<WeChatDispatchResult> DispatchAsync(ReadOnlyMemory<byte> payload, IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>Dispatches an already scanned payload with the given context.</summary>
    ValueTask<WeChatDispatchResult> DispatchAsync(in WeChatPayload payload, in WeChatContext context, IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>Chooses the handler for a payload without running it.</summary>
    WeChatRoute Route(in WeChatPayload payload);

    /// <summary>Runs the handler of a route chosen by <see cref="Route(in WeChatPayload)"/> for the same payload.</summary>
    ValueTask<WeChatDispatchResult> InvokeAsync(in WeChatRoute route, in WeChatPayload payload, in WeChatContext context, IServiceProvider services, CancellationToken cancellationToken);
}

/// <summary>Which handler a payload goes to.</summary>
public readonly struct WeChatRoute
{
    /// <summary>Creates a route. Used by generated code.</summary>
    public WeChatRoute(int handlerId, string handlerName, WeChatAckMode ack, string? text = null)
    {
        HandlerId = handlerId;
        HandlerName = handlerName;
        Ack = ack;
        Text = text;
    }

    /// <summary>No handler claims the payload.</summary>
    public static WeChatRoute Unhandled => new(-1, string.Empty, WeChatAckMode.Default);

    /// <summary>The generated handler number, or -1.</summary>
    public int HandlerId { get; }

    /// <summary>The handler as <c>Type.Method</c>; empty when unhandled.</summary>
    public string HandlerName { get; }

    /// <summary>The handler's acknowledgement mode.</summary>
    public WeChatAckMode Ack { get; }

    /// <summary>Whether a handler claims the payload.</summary>
    public bool IsHandled => HandlerId >= 0;

    /// <summary>The text content when routing already read it (pattern matches), so binding does not read it again.</summary>
    public string? Text { get; }
}

/// <summary>The outcome of a dispatch.</summary>
public readonly struct WeChatDispatchResult
{
    /// <summary>Creates a result.</summary>
    public WeChatDispatchResult(bool handled, string handlerName, WeChatReply reply)
    {
        Handled = handled;
        HandlerName = handlerName;
        Reply = reply;
    }

    /// <summary>Nothing handled the payload (no matching handler and no <see cref="OnUnhandledAttribute"/>).</summary>
    public static WeChatDispatchResult Unhandled => new(false, string.Empty, WeChatReply.Success);

    /// <summary>Whether a handler ran.</summary>
    public bool Handled { get; }

    /// <summary>The handler that ran, as <c>Type.Method</c>.</summary>
    public string HandlerName { get; }

    /// <summary>The answer for WeChat.</summary>
    public WeChatReply Reply { get; }
}
