using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Payloads;
using WeChatHandlers.Tests.Payloads;

namespace WeChatHandlers.Tests.Dispatch;

/// <summary>Payload types as handler parameters, through the dispatcher generated for this project.</summary>
public sealed class PayloadDispatchTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const string StatsJson = """{"ToUserName":"gh","FromUserName":"o","CreateTime":"1700000000","MsgType":"stats","total_count":"12","success_count":10,"Ratio":0.5,"Amount":"12.30","Final":true}""";
    private const string StatsXml = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1700000000</CreateTime><MsgType>stats</MsgType><total_count>12</total_count><success_count>10</success_count><Ratio>0.5</Ratio><Amount>12.30</Amount><Final>true</Final></xml>";

    private readonly ServiceProvider _root = new ServiceCollection()
        .AddScoped<DispatchLog>()
        .AddWeChatHandlers()
        .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(nameof(Pushes.PopupXmlOne), 1)]
    [InlineData(nameof(Pushes.PopupJsonOne), 1)]
    [InlineData(nameof(Pushes.PopupXmlThree), 3)]
    [InlineData(nameof(Pushes.PopupJsonThree), 3)]
    public async Task A_popup_handler_reads_every_item_in_both_formats(string name, int count)
    {
        var (handler, message) = await DispatchOne((string)typeof(Pushes).GetField(name)!.GetValue(null)!);

        Assert.Equal("Popup", handler);
        var e = Assert.IsType<SubscribeMsgPopupEvent>(message);
        Assert.Equal(count, e.List.Count);
        Assert.All(e.List, i => Assert.False(string.IsNullOrEmpty(i.TemplateId)));
        Assert.All(e.List, i => Assert.Contains(i.SubscribeStatusString, new[] { "accept", "reject", "acceptWithAudio" }));
    }

    [Theory]
    [InlineData(nameof(Pushes.MediaCheckXml))]
    [InlineData(nameof(Pushes.MediaCheckJson))]
    public async Task A_media_check_handler_gets_the_verdict(string name)
    {
        var (_, message) = await DispatchOne((string)typeof(Pushes).GetField(name)!.GetValue(null)!);

        var e = Assert.IsType<WxaMediaCheckEvent>(message);
        Assert.Equal("risky", e.Result!.Suggest);
        Assert.Equal(95, e.Detail[1].Prob);
    }

    [Theory]
    [InlineData(StatsJson)]
    [InlineData(StatsXml)]
    public async Task A_user_struct_binds_numbers_from_numbers_and_strings(string push)
    {
        var (_, message) = await DispatchOne(push);

        var stats = Assert.IsType<StatsPush>(message);
        Assert.Equal((1700000000L, 12, (int?)10, 0.5, 12.30m, true, (long?)null), (stats.CreateTime, stats.Total, stats.Succeeded, stats.Ratio, stats.Amount, stats.Final, stats.Missing));
    }

    [Theory]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"wxa_media_check","version":"two"}""", "version")]
    [InlineData("""{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"stats","total_count":1.5}""", "total_count")]
    public async Task An_unconvertible_value_is_malformed_and_runs_no_handler(string push, string path)
    {
        using var scope = _root.CreateScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();

        var ex = await Assert.ThrowsAsync<WeChatPayloadException>(async () =>
            await dispatcher.DispatchAsync(SeedPackets.Utf8(push), scope.ServiceProvider, CancellationToken.None));

        Assert.Equal(path, ex.FieldPath);
        Assert.Empty(scope.ServiceProvider.GetRequiredService<DispatchLog>().Calls);
    }

    [Theory]
    [InlineData(StatsJson)]
    [InlineData(StatsXml)]
    public void A_numbers_only_payload_binds_with_zero_bytes(string push)
    {
        var payload = WeChatPayload.Parse(SeedPackets.Utf8(push));
        var warm = WeChatBinding.Bind<StatsPush>(payload);
        Assert.Equal(12, warm.Total);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var stats = WeChatBinding.Bind<StatsPush>(payload);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(12, stats.Total);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(nameof(Pushes.MediaCheckXml))]
    [InlineData(nameof(Pushes.MediaCheckJson))]
    public void The_media_check_graph_binds_with_no_more_than_its_own_objects(string name)
    {
        var payload = WeChatPayload.Parse(SeedPackets.Utf8((string)typeof(Pushes).GetField(name)!.GetValue(null)!));
        var warm = WeChatBinding.Bind<WxaMediaCheckEvent>(payload);
        _ = HandBuilt(warm);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var bound = WeChatBinding.Bind<WxaMediaCheckEvent>(payload);
        long binding = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        var copy = HandBuilt(bound);
        long own = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"{name}: binding {binding} B, the same objects built by hand {own} B");
        Assert.Equal(bound.Detail[1].Strategy, copy.Detail[1].Strategy);
        Assert.True(binding <= own, $"binding allocated {binding} B, the graph's own objects {own} B");
    }

    /// <summary>The same graph built by hand: every string, object and array allocated anew.</summary>
    private static WxaMediaCheckEvent HandBuilt(WxaMediaCheckEvent e)
    {
        var detail = new WxaMediaCheckDetail[e.Detail.Count];
        for (int i = 0; i < detail.Length; i++)
        {
            var d = e.Detail[i];
            detail[i] = new WxaMediaCheckDetail { Strategy = Copy(d.Strategy), ErrCode = d.ErrCode, Suggest = Copy(d.Suggest), Label = d.Label, Prob = d.Prob };
        }

        return HandBuilt(e, detail);
    }

    private static WxaMediaCheckEvent HandBuilt(WxaMediaCheckEvent e, WxaMediaCheckDetail[] detail) => new()
    {
        ToUserName = Copy(e.ToUserName),
        FromUserName = Copy(e.FromUserName),
        CreateTime = e.CreateTime,
        Event = Copy(e.Event),
        AppId = Copy(e.AppId),
        TraceId = Copy(e.TraceId),
        Version = e.Version,
        Result = new WxaMediaCheckResult { Suggest = Copy(e.Result!.Suggest), Label = e.Result.Label },
        Detail = detail,
        ErrCode = e.ErrCode,
        ErrMsg = Copy(e.ErrMsg),
    };

    private static string Copy(string s) => s.Length == 0 ? string.Empty : new string(s.AsSpan());

    private async Task<(string Handler, object Message)> DispatchOne(string push)
    {
        using var scope = _root.CreateScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();
        var result = await dispatcher.DispatchAsync(SeedPackets.Utf8(push), scope.ServiceProvider, CancellationToken.None);
        Assert.True(result.Handled);
        var call = Assert.Single(scope.ServiceProvider.GetRequiredService<DispatchLog>().Calls);
        return (call.Handler, call.Message);
    }
}
