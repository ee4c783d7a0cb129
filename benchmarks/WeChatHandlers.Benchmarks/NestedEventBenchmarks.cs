using BenchmarkDotNet.Attributes;
using WeChatHandlers.Benchmarks.Baselines;
using WeChatHandlers.Payloads;
using WeChatHandlers.Tests;
using WeChatHandlers.Tests.Payloads;

namespace WeChatHandlers.Benchmarks;

/// <summary>The three nested events of the typed-payload benchmarks.</summary>
public enum NestedEvent
{
    /// <summary>subscribe_msg_popup_event with three items.</summary>
    Popup,

    /// <summary>wxa_media_check v2: a result object and two detail items.</summary>
    MediaCheck,

    /// <summary>add_express_path with two actions.</summary>
    Express,
}

/// <summary>
/// Parse + bind of a nested XML event into its object graph, from body bytes. Ours (validating scan, generated binder)
/// is the ratio baseline; against XDocument filled by hand and XDocument + reflection.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("nested")]
public class XmlNestedBind
{
    private byte[] _body = null!;

    [Params(NestedEvent.Popup, NestedEvent.MediaCheck, NestedEvent.Express)]
    public NestedEvent Event { get; set; }

    [GlobalSetup]
    public void Setup() => _body = SeedPackets.Utf8(Event switch
    {
        NestedEvent.Popup => Pushes.PopupXmlThree,
        NestedEvent.MediaCheck => Pushes.MediaCheckXml,
        _ => Pushes.ExpressXml,
    });

    [Benchmark(Baseline = true, Description = "Ours")]
    public long Ours()
    {
        var payload = WeChatPayload.Parse(_body);
        return Event switch
        {
            NestedEvent.Popup => WeChatBinding.Bind<SubscribeMsgPopupEvent>(payload).List.Count,
            NestedEvent.MediaCheck => WeChatBinding.Bind<WxaMediaCheckEvent>(payload).Detail.Count,
            _ => WeChatBinding.Bind<AddExpressPathEvent>(payload).Actions.Count,
        };
    }

    [Benchmark(Description = "XDocument by hand")]
    public long ByHand() => Event switch
    {
        NestedEvent.Popup => XDocumentByHand.Popup(_body).List.Count,
        NestedEvent.MediaCheck => XDocumentByHand.MediaCheck(_body).Detail.Count,
        _ => XDocumentByHand.Express(_body).Actions.Count,
    };

    [Benchmark(Description = "XDocument+reflection")]
    public long Reflection() => Event switch
    {
        NestedEvent.Popup => XDocumentReflectionFill.Fill<SubscribeMsgPopupEvent>(_body).List.Count,
        NestedEvent.MediaCheck => XDocumentReflectionFill.Fill<WxaMediaCheckEvent>(_body).Detail.Count,
        _ => XDocumentReflectionFill.Fill<AddExpressPathEvent>(_body).Actions.Count,
    };
}

/// <summary>Parse + bind of a nested JSON event; ours against System.Text.Json source generation into the same shape.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("nested")]
public class JsonNestedBind
{
    private byte[] _body = null!;

    [Params(NestedEvent.Popup, NestedEvent.MediaCheck, NestedEvent.Express)]
    public NestedEvent Event { get; set; }

    [GlobalSetup]
    public void Setup() => _body = SeedPackets.Utf8(Event switch
    {
        NestedEvent.Popup => Pushes.PopupJsonThree,
        NestedEvent.MediaCheck => Pushes.MediaCheckJson,
        _ => Pushes.ExpressJson,
    });

    [Benchmark(Baseline = true, Description = "Ours")]
    public long Ours()
    {
        var payload = WeChatPayload.Parse(_body);
        return Event switch
        {
            NestedEvent.Popup => WeChatBinding.Bind<SubscribeMsgPopupEvent>(payload).List.Count,
            NestedEvent.MediaCheck => WeChatBinding.Bind<WxaMediaCheckEvent>(payload).Detail.Count,
            _ => WeChatBinding.Bind<AddExpressPathEvent>(payload).Actions.Count,
        };
    }

    [Benchmark(Description = "STJ source-gen")]
    public long StjSourceGenerated() => Event switch
    {
        NestedEvent.Popup => StjNested.Popup(_body).List.Length,
        NestedEvent.MediaCheck => StjNested.MediaCheck(_body).Detail.Length,
        _ => StjNested.Express(_body).Actions.Length,
    };
}
