using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Benchmarks.Baselines;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// Parse + dispatch of one XML push, from body bytes to a handler that read its fields. Ours is the baseline of the
/// ratio column, so "Ratio 25.0" on a row reads "that way is 25x slower than ours".
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("parse")]
public class XmlParseDispatch
{
    private IWeChatDispatcher _dispatcher = null!;
    private ServiceProvider _services = null!;
    private byte[] _body = null!;

    [Params(Packet.Text, Packet.Image, Packet.MiniProgramPage, Packet.EnterSession)]
    public Packet Packet { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddWeChatHandlers().BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<IWeChatDispatcher>();
        _body = Packets.Xml(Packet);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "Ours")]
    public bool Ours() => _dispatcher.DispatchAsync(_body, _services, CancellationToken.None).GetAwaiter().GetResult().Handled;

    [Benchmark(Description = "XDocument+reflection")]
    public void XDocumentReflectionFill() => XDocumentReflection.Dispatch(_body);

    [Benchmark(Description = "XmlSerializer")]
    public void XmlSerializerCached() => XmlSerializerBaseline.Dispatch(_body);

    [Benchmark(Description = "XmlReader+switch")]
    public void XmlReaderStringSwitch() => XmlReaderSwitch.Dispatch(_body);
}

/// <summary>Parse + dispatch of one JSON push; ours is the ratio baseline.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("parse")]
public class JsonParseDispatch
{
    private IWeChatDispatcher _dispatcher = null!;
    private ServiceProvider _services = null!;
    private byte[] _body = null!;

    [Params(Packet.Text, Packet.Image, Packet.MiniProgramPage, Packet.EnterSession)]
    public Packet Packet { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddWeChatHandlers().BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<IWeChatDispatcher>();
        _body = Packets.Json(Packet);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "Ours")]
    public bool Ours() => _dispatcher.DispatchAsync(_body, _services, CancellationToken.None).GetAwaiter().GetResult().Handled;

    [Benchmark(Description = "STJ reflection")]
    public void StjReflection() => SystemTextJsonBaselines.DispatchReflection(_body);

    [Benchmark(Description = "STJ source-gen")]
    public void StjSourceGenerated() => SystemTextJsonBaselines.DispatchSourceGenerated(_body);
}

/// <summary>A handler that takes only <see cref="WeChatContext"/>: the framework's whole cost, which must allocate nothing.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("parse")]
public class ContextOnlyDispatch
{
    private IWeChatDispatcher _dispatcher = null!;
    private ServiceProvider _services = null!;
    private byte[] _xml = null!;
    private byte[] _json = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddWeChatHandlers().BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<IWeChatDispatcher>();
        _xml = WeChatHandlers.Tests.SeedPackets.Utf8(Packets.PingXml);
        _json = WeChatHandlers.Tests.SeedPackets.Utf8(Packets.PingJson);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Description = "Ours, XML, WeChatContext only")]
    public bool Xml() => _dispatcher.DispatchAsync(_xml, _services, CancellationToken.None).GetAwaiter().GetResult().Handled;

    [Benchmark(Description = "Ours, JSON, WeChatContext only")]
    public bool Json() => _dispatcher.DispatchAsync(_json, _services, CancellationToken.None).GetAwaiter().GetResult().Handled;
}
