using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// Dispatch cost against the number of event handlers: a project with N <c>[OnEvent]</c> handlers, JSON push of the
/// last event of the set. Flat means the generated routing does not walk the handlers.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("scaling")]
public class DispatchScaling
{
    private IWeChatDispatcher _dispatcher = null!;
    private ServiceProvider _root = null!;
    private IServiceScope _scope = null!;
    private byte[] _body = null!;

    [Params(1, 16, 64, 256)]
    public int Handlers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var services = InMemoryHandlers.BuildAndLoad($"Scaling{Handlers}", InMemoryHandlers.EventHandlersSource(Handlers));
        _root = services.BuildServiceProvider();
        _scope = _root.CreateScope();
        _dispatcher = _scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();
        string last = InMemoryHandlers.EventName(Handlers - 1);
        _body = System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"event","Event":"{{last}}"}"""));
        var result = _dispatcher.DispatchAsync(_body, _scope.ServiceProvider, CancellationToken.None).GetAwaiter().GetResult();
        if (!result.Handled || !result.HandlerName.StartsWith($"Handlers{Handlers - 1}.", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The last event went to '{result.HandlerName}'.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _root.Dispose();
    }

    [Benchmark(Description = "Dispatch to the last event handler")]
    public bool DispatchLast() => _dispatcher.DispatchAsync(_body, _scope.ServiceProvider, CancellationToken.None).GetAwaiter().GetResult().Handled;
}
