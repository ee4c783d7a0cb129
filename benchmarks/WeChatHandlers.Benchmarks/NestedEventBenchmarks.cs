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
/// Parse + bind of a nested event into its object graph, from body bytes: ours (validating scan, generated binder) is
/// the ratio baseline of each format's class, which adds its own baselines.
/// </summary>
public abstract class NestedBind
{
    protected byte[] Body { get; private set; } = null!;

    [Params(NestedEvent.Popup, NestedEvent.MediaCheck, NestedEvent.Express)]
    public NestedEvent Event { get; set; }

    [GlobalSetup]
    public void Setup() => Body = SeedPackets.Utf8(Push(Event));

    [Benchmark(Baseline = true, Description = "Ours")]
    public long Ours()
    {
        var payload = WeChatPayload.Parse(Body);
        return Event switch
        {
            NestedEvent.Popup => WeChatBinding.Bind<SubscribeMsgPopupEvent>(payload).List.Count,
            NestedEvent.MediaCheck => WeChatBinding.Bind<WxaMediaCheckEvent>(payload).Detail.Count,
            _ => WeChatBinding.Bind<AddExpressPathEvent>(payload).Actions.Count,
        };
    }

    /// <summary>The first baseline of this class's format, for the profiling probe.</summary>
    public abstract long FirstBaseline();

    /// <summary>The push of <paramref name="nested"/> in this class's format.</summary>
    protected abstract string Push(NestedEvent nested);
}

/// <summary>Nested XML events: ours against XDocument filled by hand and XDocument + reflection.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("nested")]
public class XmlNestedBind : NestedBind
{
    [Benchmark(Description = "XDocument by hand")]
    public long ByHand() => Event switch
    {
        NestedEvent.Popup => XDocumentByHand.Popup(Body).List.Count,
        NestedEvent.MediaCheck => XDocumentByHand.MediaCheck(Body).Detail.Count,
        _ => XDocumentByHand.Express(Body).Actions.Count,
    };

    [Benchmark(Description = "XDocument+reflection")]
    public long Reflection() => Event switch
    {
        NestedEvent.Popup => XDocumentReflectionFill.Fill<SubscribeMsgPopupEvent>(Body).List.Count,
        NestedEvent.MediaCheck => XDocumentReflectionFill.Fill<WxaMediaCheckEvent>(Body).Detail.Count,
        _ => XDocumentReflectionFill.Fill<AddExpressPathEvent>(Body).Actions.Count,
    };

    public override long FirstBaseline() => ByHand();

    protected override string Push(NestedEvent nested) => nested switch
    {
        NestedEvent.Popup => Pushes.PopupXmlThree,
        NestedEvent.MediaCheck => Pushes.MediaCheckXml,
        _ => Pushes.ExpressXml,
    };
}

/// <summary>Nested JSON events: ours against System.Text.Json source generation into the same shape.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("nested")]
public class JsonNestedBind : NestedBind
{
    [Benchmark(Description = "STJ source-gen")]
    public long StjSourceGenerated() => Event switch
    {
        NestedEvent.Popup => StjNested.Popup(Body).List.Length,
        NestedEvent.MediaCheck => StjNested.MediaCheck(Body).Detail.Length,
        _ => StjNested.Express(Body).Actions.Length,
    };

    public override long FirstBaseline() => StjSourceGenerated();

    protected override string Push(NestedEvent nested) => nested switch
    {
        NestedEvent.Popup => Pushes.PopupJsonThree,
        NestedEvent.MediaCheck => Pushes.MediaCheckJson,
        _ => Pushes.ExpressJson,
    };
}
