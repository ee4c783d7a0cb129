using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WeChatHandlers.AspNetCore;

/// <summary>The services every handler run uses, built once with the endpoint.</summary>
internal sealed record RunContext(
    WeChatCallbackOptions Options,
    IWeChatDispatcher Dispatcher,
    IServiceScopeFactory Scopes,
    WeChatBackgroundQueue Queue,
    WeChatCallbackMetrics Metrics,
    ILogger Logger,
    TimeProvider Time,
    DedupeGate Dedupe,
    CoarseTimeouts Timeouts,
    RunWatch Watch,
    ReplyWriter Replies);
