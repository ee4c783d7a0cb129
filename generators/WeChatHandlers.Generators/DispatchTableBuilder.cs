using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace WeChatHandlers.Generators;

/// <summary>
/// Turns the routes of every handler into the <see cref="DispatchTableSpec"/> the emitter writes: sorts them, numbers
/// the handlers, decides each level's routes and fallbacks, each handler's binder, and whether the table is large.
/// </summary>
internal static class DispatchTableBuilder
{
    /// <summary>
    /// Above this many handlers the dispatcher keeps each route in a static field and each invocation in its own
    /// method. A switch with hundreds of arms that each build a struct holding references gets a stack frame with
    /// one zero-initialised temporary per arm (16 KB at 256 handlers, measured), cleared on every call, and the
    /// dispatch cost grows with the handler count. Small tables keep the flat, inlined shape.
    /// </summary>
    public const int SplitThreshold = 16;

    public static DispatchTableSpec Build(EquatableArray<RouteSpec> routes) => new Builder(Sort(routes)).Build();

    /// <summary>Orders routes by ordinal keys so the output does not depend on file or declaration order (except patterns, where it must).</summary>
    internal static List<RouteSpec> Sort(IEnumerable<RouteSpec> routes) => routes.OrderBy(r => r, RouteComparer.Instance).ToList();

    internal static int Utf8Length(string value) => Encoding.UTF8.GetByteCount(value);

    private sealed class Builder
    {
        private readonly List<RouteSpec> _routes;
        private readonly Dictionary<RouteSpec, int> _routeIds = new(ReferenceEqualityComparer.Instance);
        private readonly List<InvocationSpec> _invocations = new();
        private readonly bool _large;
        private readonly List<RouteTargetSpec> _table = new();
        private readonly Dictionary<(int, string, int), int> _tableIndex = new();

        public Builder(List<RouteSpec> sorted)
        {
            // Duplicate keys are an analyzer error; the first route in sorted order serves them all.
            _routes = sorted.GroupBy(r => (r.Kind, r.Key)).Select(g => g.First()).ToList();
            var ids = new Dictionary<(MethodSpec, BinderSpec?), int>();
            foreach (var route in _routes)
            {
                var binder = Binder(route);
                if (!ids.TryGetValue((route.Method, binder), out int id))
                {
                    id = _invocations.Count;
                    ids.Add((route.Method, binder), id);
                    var method = route.Method;
                    _invocations.Add(new InvocationSpec(id, method.ContainingType, method.HandlerName, method.MethodName, method.IsStatic, method.Return, method.Parameters, binder));
                }

                _routeIds[route] = id;
            }

            _large = _invocations.Count > SplitThreshold;
        }

        public DispatchTableSpec Build()
        {
            var patterns = Of(RouteKind.TextPattern);
            var events = Of(RouteKind.Event);
            bool hasText = _routes.Any(r => r.Kind is RouteKind.TextExact or RouteKind.TextPrefix or RouteKind.TextPattern or RouteKind.TextAny);

            var types = new SortedSet<string>(StringComparer.Ordinal);
            if (hasText)
            {
                types.Add("text");
            }

            if (events.Count > 0)
            {
                types.Add("event");
            }

            if (First(RouteKind.Image) is not null)
            {
                types.Add("image");
            }

            if (First(RouteKind.MiniProgramPage) is not null)
            {
                types.Add("miniprogrampage");
            }

            foreach (var route in Of(RouteKind.Message))
            {
                types.Add(route.Key);
            }

            // Targets are made in the order the dispatcher returns them, which is the order a large table indexes them in.
            var messageTypes = types.Select(t => MessageTypeRoute(t, hasText, events.Count > 0)).ToEquatableArray();
            var fallback = FallbackFor(null);
            var text = hasText ? TextRouting(patterns) : null;
            var eventRouting = events.Count > 0
                ? new EventRoutingSpec(Keys(events), events.Max(r => Utf8Length(r.Key)), FallbackFor("event"))
                : null;

            return new DispatchTableSpec(
                messageTypes,
                types.Count > 0 ? types.Max(Utf8Length) : 0,
                fallback,
                text,
                eventRouting,
                _invocations.ToEquatableArray(),
                _large,
                _table.ToEquatableArray());
        }

        private MessageTypeRouteSpec MessageTypeRoute(string msgType, bool hasText, bool hasEvents)
        {
            if (msgType == "text" && hasText)
            {
                return new MessageTypeRouteSpec(msgType, MessageTypeBranch.Text, null);
            }

            if (msgType == "event" && hasEvents)
            {
                return new MessageTypeRouteSpec(msgType, MessageTypeBranch.Event, null);
            }

            var specific = msgType switch
            {
                "image" => First(RouteKind.Image),
                "miniprogrampage" => First(RouteKind.MiniProgramPage),
                _ => null,
            };
            return new MessageTypeRouteSpec(msgType, MessageTypeBranch.Route, specific is not null ? Target(specific) : FallbackFor(msgType));
        }

        private TextRoutingSpec TextRouting(List<RouteSpec> patterns)
        {
            var exact = Of(RouteKind.TextExact);
            var prefixes = Of(RouteKind.TextPrefix)
                .OrderByDescending(r => Utf8Length(r.Key)).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();

            // A prefix check needs only the value's first bytes, so the scratch is sized to the longest key; an exact
            // match additionally needs the whole value, which the reader's 'complete' confirms.
            int scratch = exact.Count + prefixes.Count > 0 ? exact.Concat(prefixes).Max(r => Utf8Length(r.Key)) : 0;
            var exactRoutes = Keys(exact);
            var prefixRoutes = Keys(prefixes);
            var patternRoutes = patterns.Select(r => new KeyRouteSpec(r.Key, Target(r, carriesText: true))).ToEquatableArray();
            var any = First(RouteKind.TextAny);
            return new TextRoutingSpec(exactRoutes, prefixRoutes, scratch, patternRoutes, any is not null ? Target(any) : FallbackFor("text"));
        }

        private EquatableArray<KeyRouteSpec> Keys(List<RouteSpec> routes) =>
            routes.Select(r => new KeyRouteSpec(r.Key, Target(r))).ToEquatableArray();

        private List<RouteSpec> Of(RouteKind kind) => _routes.Where(r => r.Kind == kind).ToList();

        private RouteSpec? First(RouteKind kind) => _routes.FirstOrDefault(r => r.Kind == kind);

        /// <summary>Where a message of <paramref name="msgType"/> goes when nothing more specific claims it.</summary>
        private RouteTargetSpec? FallbackFor(string? msgType)
        {
            var message = msgType is null ? null : _routes.FirstOrDefault(r => r.Kind == RouteKind.Message && r.Key == msgType);
            var target = message ?? First(RouteKind.Unhandled);
            return target is null ? null : Target(target);
        }

        /// <summary>
        /// The route for <paramref name="route"/>. A large table reads it from its static array (one entry per distinct
        /// route); a pattern's route carries the matched text, so it is always built where it is returned.
        /// </summary>
        private RouteTargetSpec Target(RouteSpec route, bool carriesText = false)
        {
            int id = _routeIds[route];
            string name = route.Method.HandlerName;
            if (!_large || carriesText)
            {
                return new RouteTargetSpec(id, name, route.Ack, -1);
            }

            if (!_tableIndex.TryGetValue((id, name, route.Ack), out int index))
            {
                index = _table.Count;
                _table.Add(new RouteTargetSpec(id, name, route.Ack, index));
                _tableIndex.Add((id, name, route.Ack), index);
            }

            return _table[index];
        }

        /// <summary>How the handler's message is built for this route, passing the names the route knows.</summary>
        private static BinderSpec? Binder(RouteSpec route)
        {
            string? knownType = route.Kind switch
            {
                RouteKind.TextExact or RouteKind.TextPrefix or RouteKind.TextPattern or RouteKind.TextAny => "text",
                RouteKind.Image => "image",
                RouteKind.MiniProgramPage => "miniprogrampage",
                RouteKind.Event => "event",
                RouteKind.Message => route.Key,
                _ => null,
            };
            return route.Method.MessageType switch
            {
                MessageType.None => null,
                MessageType.Payload => new BinderSpec(BinderKind.Payload, route.Method.Parameters.First(p => p.Kind == ParameterKind.Message).Type),
                // The seed's message types are payload types too, bound by their generated binders.
                MessageType.Text => new BinderSpec(BinderKind.Payload, "global::WeChatHandlers.TextMessage"),
                MessageType.Image => new BinderSpec(BinderKind.Payload, "global::WeChatHandlers.ImageMessage"),
                MessageType.MiniProgramPage => new BinderSpec(BinderKind.Payload, "global::WeChatHandlers.MiniProgramPageMessage"),
                MessageType.UserEnterTempSession => new BinderSpec(BinderKind.Payload, "global::WeChatHandlers.UserEnterTempSessionEvent"),
                MessageType.Event when route.Kind == RouteKind.Event => new BinderSpec(BinderKind.Event, route.Key),
                MessageType.Event => new BinderSpec(BinderKind.Event, null),
                _ => new BinderSpec(BinderKind.Message, knownType),
            };
        }
    }

    private sealed class ReferenceEqualityComparer : IEqualityComparer<RouteSpec>
    {
        public static readonly ReferenceEqualityComparer Instance = new();

        public bool Equals(RouteSpec? x, RouteSpec? y) => ReferenceEquals(x, y);

        public int GetHashCode(RouteSpec obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }

    private sealed class RouteComparer : IComparer<RouteSpec>
    {
        public static readonly RouteComparer Instance = new();

        public int Compare(RouteSpec? x, RouteSpec? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            int c = x.Kind.CompareTo(y.Kind);
            if (c == 0 && x.Kind == RouteKind.TextPattern)
            {
                c = string.CompareOrdinal(x.Method.ContainingType, y.Method.ContainingType);
                c = c != 0 ? c : x.Order.CompareTo(y.Order);
            }

            c = c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
            c = c != 0 ? c : string.CompareOrdinal(x.Method.ContainingType, y.Method.ContainingType);
            c = c != 0 ? c : string.CompareOrdinal(x.Method.MethodName, y.Method.MethodName);
            c = c != 0 ? c : x.Ack.CompareTo(y.Ack);
            return c != 0 ? c : string.CompareOrdinal(Signature(x.Method), Signature(y.Method));
        }

        private static string Signature(MethodSpec method) => string.Join(",", method.Parameters.Select(p => p.Type));
    }
}
