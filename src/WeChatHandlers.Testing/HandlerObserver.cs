using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using WeChatHandlers.AspNetCore;

namespace WeChatHandlers.Testing;

/// <summary>
/// Tells which handler completed which push, from the endpoint's <c>wechat.messages.handled</c> metric of one app
/// (its <see cref="IMeterFactory"/>). The push client tags each request with a header; middleware puts the tag in an
/// <see cref="AsyncLocal{T}"/>, which flows to where the endpoint records the metric, so concurrent pushes stay apart.
/// </summary>
internal sealed class HandlerObserver : IDisposable
{
    public const string Header = "X-WeChatHandlers-Test-Push";

    private static readonly AsyncLocal<string?> s_current = new();

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _handled = new(StringComparer.Ordinal);

    public HandlerObserver(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WeChatCallbackMetrics.Name && ReferenceEquals(instrument.Meter.Scope, meters) &&
                instrument.Name == "wechat.messages.handled")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            if (s_current.Value is not { } push)
            {
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "handler" && tag.Value is string handler)
                {
                    _handled.GetOrAdd(push, _ => new ConcurrentQueue<string>()).Enqueue(handler);
                }
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<string> Take(string push) => _handled.TryRemove(push, out var handlers) ? [.. handlers] : [];

    public void Dispose() => _listener.Dispose();

    /// <summary>Runs first in the app's pipeline and marks the request's flow with the push's tag.</summary>
    public static void Use(IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        s_current.Value = context.Request.Headers[Header].ToString() is { Length: > 0 } tag ? tag : null;
        return next(context);
    });

    /// <summary>Adds <see cref="Use"/> in front of an app's own middleware (for apps hosted from their entry point).</summary>
    public sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            Use(app);
            next(app);
        };
    }
}
