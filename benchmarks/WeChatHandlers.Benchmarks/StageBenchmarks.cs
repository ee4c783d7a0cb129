using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// The framework's path for the seed's text message split into its stages, to see where the time of
/// <see cref="XmlParseDispatch"/> and <see cref="JsonParseDispatch"/> goes: UTF-8 validation, the scan, routing, binding.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("stages")]
public class TextStages
{
    private IWeChatDispatcher _dispatcher = null!;
    private ServiceProvider _services = null!;
    private byte[] _body = null!;
    private WeChatPayload _payload;

    [Params("xml", "json")]
    public string Format { get; set; } = "xml";

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddWeChatHandlers().BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<IWeChatDispatcher>();
        _body = Format == "xml" ? Packets.Xml(Packet.Text) : Packets.Json(Packet.Text);
        _payload = WeChatPayload.Parse(_body);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Description = "UTF-8 validation")]
    public bool Validate() => System.Text.Unicode.Utf8.IsValid(_body);

    [Benchmark(Description = "Parse (scan)")]
    public WeChatFormat Parse() => WeChatPayload.Parse(_body).Format;

    [Benchmark(Description = "Route")]
    public int Route() => _dispatcher.Route(_payload).HandlerId;

    [Benchmark(Description = "Bind TextMessage")]
    public long Bind() => TextMessage.FromPayload(_payload).MsgId;

    [Benchmark(Description = "Whole dispatch")]
    public bool Dispatch() => _dispatcher.DispatchAsync(_body, _services, CancellationToken.None).GetAwaiter().GetResult().Handled;
}
