using System.ComponentModel;
using System.Runtime.CompilerServices;
using WeChatHandlers.Payloads;

namespace WeChatHandlers;

/// <summary>
/// The base of generated dispatchers: scanning and routing glue, and allocation-free completion of handler results.
/// Generated code overrides <see cref="Route"/> and <see cref="InvokeAsync"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class WeChatDispatcherBase : IWeChatDispatcher
{
    /// <inheritdoc />
    public ValueTask<WeChatDispatchResult> DispatchAsync(ReadOnlyMemory<byte> payload, IServiceProvider services, CancellationToken cancellationToken)
    {
        var scanned = WeChatPayload.Parse(payload);
        return DispatchAsync(scanned, WeChatContext.For(scanned), services, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<WeChatDispatchResult> DispatchAsync(in WeChatPayload payload, in WeChatContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var route = Route(payload);
        return route.IsHandled
            ? InvokeAsync(route, payload, context, services, cancellationToken)
            : new ValueTask<WeChatDispatchResult>(WeChatDispatchResult.Unhandled);
    }

    /// <inheritdoc />
    public abstract WeChatRoute Route(in WeChatPayload payload);

    /// <inheritdoc />
    public abstract ValueTask<WeChatDispatchResult> InvokeAsync(in WeChatRoute route, in WeChatPayload payload, in WeChatContext context, IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>A handler that returned nothing finished.</summary>
    protected static ValueTask<WeChatDispatchResult> Completed(string handlerName) =>
        new(new WeChatDispatchResult(true, handlerName, WeChatReply.Success));

    /// <summary>A handler returned a reply.</summary>
    protected static ValueTask<WeChatDispatchResult> Completed(string handlerName, WeChatReply reply) =>
        new(new WeChatDispatchResult(true, handlerName, reply));

    /// <summary>A handler returned a task.</summary>
    protected static ValueTask<WeChatDispatchResult> Completed(string handlerName, Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompletedSuccessfully ? Completed(handlerName) : Await(handlerName, task);

        static async ValueTask<WeChatDispatchResult> Await(string handlerName, Task task)
        {
            await task.ConfigureAwait(false);
            return new WeChatDispatchResult(true, handlerName, WeChatReply.Success);
        }
    }

    /// <summary>A handler returned a value task.</summary>
    protected static ValueTask<WeChatDispatchResult> Completed(string handlerName, ValueTask task)
    {
        return task.IsCompletedSuccessfully ? Completed(handlerName) : Await(handlerName, task);

        static async ValueTask<WeChatDispatchResult> Await(string handlerName, ValueTask task)
        {
            await task.ConfigureAwait(false);
            return new WeChatDispatchResult(true, handlerName, WeChatReply.Success);
        }
    }

    /// <summary>A handler returned a task of a reply.</summary>
    protected static ValueTask<WeChatDispatchResult> Completed(string handlerName, Task<WeChatReply> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompletedSuccessfully ? Completed(handlerName, task.Result) : Await(handlerName, task);

        static async ValueTask<WeChatDispatchResult> Await(string handlerName, Task<WeChatReply> task) =>
            new(true, handlerName, await task.ConfigureAwait(false));
    }

    /// <summary>A handler returned a value task of a reply.</summary>
    protected static ValueTask<WeChatDispatchResult> Completed(string handlerName, ValueTask<WeChatReply> task)
    {
        return task.IsCompletedSuccessfully ? Completed(handlerName, task.Result) : Await(handlerName, task);

        static async ValueTask<WeChatDispatchResult> Await(string handlerName, ValueTask<WeChatReply> task) =>
            new(true, handlerName, await task.ConfigureAwait(false));
    }

    /// <summary>Throws when a route from another dispatcher or payload reaches <see cref="InvokeAsync"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    protected static ValueTask<WeChatDispatchResult> UnknownRoute(in WeChatRoute route) =>
        throw new ArgumentException($"Route {route.HandlerId} does not belong to this dispatcher.", nameof(route));
}
