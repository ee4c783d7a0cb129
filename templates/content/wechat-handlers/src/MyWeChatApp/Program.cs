using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using MyWeChatApp;

var builder = WebApplication.CreateBuilder(args);
var wechat = builder.Configuration.GetSection("WeChat");

builder.Services.AddWeChatHandlers();            // generated for this assembly: the handlers in SupportHandlers.cs
builder.Services.AddWeChatCallback(wechat);      // the push endpoint: Token, EncodingAESKey, AppId, ...
builder.Services.AddWeChatApi(wechat);           // customer-service replies: AppId, AppSecret, ApiBaseAddress
builder.Services.AddSingleton<IOrderLookup, OrderLookup>();

// /healthz: healthy while an access token can be had for the configured mini program.
builder.Services.AddHealthChecks().AddWeChatAccessTokenCheck();

// The framework's meter and activity source are both named "WeChatHandlers". Set OTEL_EXPORTER_OTLP_ENDPOINT
// (e.g. http://localhost:4317) to export them over OTLP.
var otel = builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter("WeChatHandlers"))
    .WithTracing(tracing => tracing.AddSource("WeChatHandlers"));
if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    otel.UseOtlpExporter();
}

var app = builder.Build();
app.MapWeChatCallback("/wechat");                // GET: URL verification; POST: messages and events
app.MapHealthChecks("/healthz");
app.Run();
