using System.Text;

namespace WeChatHandlers.Testing;

/// <summary>Sends a built push straight to a dispatcher: no HTTP, no signature, no dedupe.</summary>
public static class WeChatDispatcherTestExtensions
{
    /// <summary>
    /// Dispatches <paramref name="push"/>, rendered in <paramref name="format"/>, resolving handlers from
    /// <paramref name="services"/> (create a scope for scoped handlers). The result names the handler that ran.
    /// </summary>
    /// <param name="dispatcher">The app's dispatcher (<c>services.GetRequiredService&lt;IWeChatDispatcher&gt;()</c>).</param>
    /// <param name="push">The push.</param>
    /// <param name="services">The services handlers are resolved from.</param>
    /// <param name="format">XML (default) or JSON.</param>
    /// <param name="cancellationToken">Passed to the handler.</param>
    /// <exception cref="WeChatPayloadException">The push is malformed for its handler; no handler ran.</exception>
    public static ValueTask<WeChatDispatchResult> DispatchAsync(this IWeChatDispatcher dispatcher, WeChatPush push, IServiceProvider services,
        WeChatFormat format = WeChatFormat.Xml, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(services);
        return dispatcher.DispatchAsync(Encoding.UTF8.GetBytes(push.Render(push.DocumentFormat ?? format)), services, cancellationToken);
    }
}
