using System.Text.Json;
using System.Text.Json.Serialization;

namespace WeChatHandlers.Benchmarks.Baselines;

/// <summary>
/// System.Text.Json both ways, from the body bytes, with cached options. WeChat sends CreateTime and MsgId as numbers
/// or as strings (protocol.md §6), so the options allow reading numbers from strings, as a real consumer must.
/// </summary>
public static class SystemTextJsonBaselines
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static void DispatchReflection(byte[] body) =>
        PushEntity.Dispatch(JsonSerializer.Deserialize<PushEntity>(body, s_options)!);

    public static void DispatchSourceGenerated(byte[] body) =>
        PushEntity.Dispatch(JsonSerializer.Deserialize(body, PushJsonContext.Default.PushEntity)!);
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(PushEntity))]
public sealed partial class PushJsonContext : JsonSerializerContext;
