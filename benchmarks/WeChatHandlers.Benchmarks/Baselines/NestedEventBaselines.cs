using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml.Linq;

namespace WeChatHandlers.Benchmarks.Baselines;

/// <summary>XDocument, then the built-in event types filled by hand: what a careful user writes without this framework.</summary>
public static class XDocumentByHand
{
    public static SubscribeMsgPopupEvent Popup(byte[] body)
    {
        var root = Load(body);
        var wrapper = root.Element("SubscribeMsgPopupEvent");
        var items = (wrapper ?? root).Elements("List").Select(l => new SubscribeMsgPopupItem
        {
            TemplateId = (string?)l.Element("TemplateId") ?? string.Empty,
            SubscribeStatusString = (string?)l.Element("SubscribeStatusString") ?? string.Empty,
            PopupScene = (string?)l.Element("PopupScene") ?? string.Empty,
        }).ToArray();
        return new SubscribeMsgPopupEvent
        {
            ToUserName = (string?)root.Element("ToUserName") ?? string.Empty,
            FromUserName = (string?)root.Element("FromUserName") ?? string.Empty,
            CreateTime = (long?)root.Element("CreateTime") ?? 0,
            Event = (string?)root.Element("Event") ?? string.Empty,
            List = items,
        };
    }

    public static WxaMediaCheckEvent MediaCheck(byte[] body)
    {
        var root = Load(body);
        var result = root.Element("result");
        return new WxaMediaCheckEvent
        {
            ToUserName = (string?)root.Element("ToUserName") ?? string.Empty,
            FromUserName = (string?)root.Element("FromUserName") ?? string.Empty,
            CreateTime = (long?)root.Element("CreateTime") ?? 0,
            Event = (string?)root.Element("Event") ?? string.Empty,
            AppId = (string?)root.Element("appid") ?? string.Empty,
            TraceId = (string?)root.Element("trace_id") ?? string.Empty,
            Version = (int?)root.Element("version"),
            Result = result is null ? null : new WxaMediaCheckResult
            {
                Suggest = (string?)result.Element("suggest") ?? string.Empty,
                Label = (int?)result.Element("label") ?? 0,
            },
            Detail = root.Elements("detail").Select(d => new WxaMediaCheckDetail
            {
                Strategy = (string?)d.Element("strategy") ?? string.Empty,
                ErrCode = (int?)d.Element("errcode") ?? 0,
                Suggest = (string?)d.Element("suggest") ?? string.Empty,
                Label = (int?)d.Element("label") ?? 0,
                Prob = (int?)d.Element("prob") ?? 0,
            }).ToArray(),
            ErrCode = (int?)root.Element("errcode"),
            ErrMsg = (string?)root.Element("errmsg") ?? string.Empty,
            IsRisky = (int?)root.Element("isrisky"),
            ExtraInfoJson = (string?)root.Element("extra_info_json") ?? string.Empty,
            StatusCode = (long?)root.Element("status_code"),
        };
    }

    public static AddExpressPathEvent Express(byte[] body)
    {
        var root = Load(body);
        return new AddExpressPathEvent
        {
            ToUserName = (string?)root.Element("ToUserName") ?? string.Empty,
            FromUserName = (string?)root.Element("FromUserName") ?? string.Empty,
            CreateTime = (long?)root.Element("CreateTime") ?? 0,
            Event = (string?)root.Element("Event") ?? string.Empty,
            DeliveryId = (string?)root.Element("DeliveryID") ?? string.Empty,
            WayBillId = (string?)root.Element("WayBillId") ?? string.Empty,
            OrderId = (string?)root.Element("OrderId") ?? string.Empty,
            Version = (int?)root.Element("Version") ?? 0,
            Count = (int?)root.Element("Count") ?? 0,
            Actions = root.Elements("Actions").Select(a => new ExpressPathAction
            {
                ActionTime = (long?)a.Element("ActionTime") ?? 0,
                ActionType = (int?)a.Element("ActionType") ?? 0,
                ActionMsg = (string?)a.Element("ActionMsg") ?? string.Empty,
            }).ToArray(),
        };
    }

    private static XElement Load(byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        return XDocument.Load(stream).Root!;
    }
}

/// <summary>
/// XDocument plus reflection, the way Senparc-style SDKs fill entities: for each property, look up its element by
/// name (here the [WeChatField] wire name, read by reflection, wrappers included), convert by the property's type,
/// recurse into nested classes and lists. Properties are asked for on every message, as those SDKs do.
/// </summary>
public static class XDocumentReflectionFill
{
    public static T Fill<T>(byte[] body)
        where T : class
    {
        using var stream = new MemoryStream(body, writable: false);
        return (T)Fill(typeof(T), XDocument.Load(stream).Root!);
    }

    private static object Fill(Type type, XElement element)
    {
        object instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite)
            {
                continue;
            }

            var field = property.GetCustomAttribute<WeChatFieldAttribute>();
            string name = field?.Name ?? property.Name;
            var container = field?.Wrapper is { } wrapper && element.Element(wrapper) is { } inner ? inner : element;
            var propertyType = property.PropertyType;
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            {
                var itemType = propertyType.GetGenericArguments()[0];
                var items = container.Elements(name).ToList();
                var array = Array.CreateInstance(itemType, items.Count);
                for (int i = 0; i < items.Count; i++)
                {
                    array.SetValue(Fill(itemType, items[i]), i);
                }

                property.SetValue(instance, array);
                continue;
            }

            var child = container.Element(name);
            if (child is null)
            {
                continue;
            }

            var target = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
            object? value = target.Name switch
            {
                "String" => child.Value,
                "Int32" => int.Parse(child.Value, CultureInfo.InvariantCulture),
                "Int64" => long.Parse(child.Value, CultureInfo.InvariantCulture),
                _ when target.IsClass => Fill(target, child),
                _ => Convert.ChangeType(child.Value, target, CultureInfo.InvariantCulture),
            };
            property.SetValue(instance, value);
        }

        return instance;
    }
}

/// <summary>System.Text.Json source generation into the same shape (the wire names as JsonPropertyName).</summary>
public static class StjNested
{
    public static StjPopup Popup(byte[] body) => JsonSerializer.Deserialize(body, NestedJsonContext.Default.StjPopup)!;

    public static StjMediaCheck MediaCheck(byte[] body) => JsonSerializer.Deserialize(body, NestedJsonContext.Default.StjMediaCheck)!;

    public static StjExpress Express(byte[] body) => JsonSerializer.Deserialize(body, NestedJsonContext.Default.StjExpress)!;
}

public class StjHead
{
    public string ToUserName { get; set; } = string.Empty;

    public string FromUserName { get; set; } = string.Empty;

    public long CreateTime { get; set; }

    public string Event { get; set; } = string.Empty;
}

public sealed class StjPopup : StjHead
{
    // JSON sends one item as an object and several as an array; the benchmark's push has several.
    public StjPopupItem?[] List { get; set; } = [];
}

public sealed class StjPopupItem
{
    public string TemplateId { get; set; } = string.Empty;

    public string SubscribeStatusString { get; set; } = string.Empty;

    public string PopupScene { get; set; } = string.Empty;
}

public sealed class StjMediaCheck : StjHead
{
    [JsonPropertyName("appid")]
    public string AppId { get; set; } = string.Empty;

    [JsonPropertyName("trace_id")]
    public string TraceId { get; set; } = string.Empty;

    [JsonPropertyName("version")]
    public int? Version { get; set; }

    [JsonPropertyName("result")]
    public StjMediaResult? Result { get; set; }

    [JsonPropertyName("detail")]
    public StjMediaDetail[] Detail { get; set; } = [];

    [JsonPropertyName("errcode")]
    public int? ErrCode { get; set; }

    [JsonPropertyName("errmsg")]
    public string ErrMsg { get; set; } = string.Empty;

    // The v1 members of the built-in type, so both sides bind the same shape.
    [JsonPropertyName("isrisky")]
    public int? IsRisky { get; set; }

    [JsonPropertyName("extra_info_json")]
    public string ExtraInfoJson { get; set; } = string.Empty;

    [JsonPropertyName("status_code")]
    public long? StatusCode { get; set; }
}

public sealed class StjMediaResult
{
    [JsonPropertyName("suggest")]
    public string Suggest { get; set; } = string.Empty;

    [JsonPropertyName("label")]
    public int Label { get; set; }
}

public sealed class StjMediaDetail
{
    [JsonPropertyName("strategy")]
    public string Strategy { get; set; } = string.Empty;

    [JsonPropertyName("errcode")]
    public int ErrCode { get; set; }

    [JsonPropertyName("suggest")]
    public string Suggest { get; set; } = string.Empty;

    [JsonPropertyName("label")]
    public int Label { get; set; }

    [JsonPropertyName("prob")]
    public int Prob { get; set; }
}

public sealed class StjExpress : StjHead
{
    [JsonPropertyName("DeliveryID")]
    public string DeliveryId { get; set; } = string.Empty;

    public string WayBillId { get; set; } = string.Empty;

    public string OrderId { get; set; } = string.Empty;

    public int Version { get; set; }

    public int Count { get; set; }

    public StjExpressAction[] Actions { get; set; } = [];
}

public sealed class StjExpressAction
{
    public long ActionTime { get; set; }

    public int ActionType { get; set; }

    public string ActionMsg { get; set; } = string.Empty;
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(StjPopup))]
[JsonSerializable(typeof(StjMediaCheck))]
[JsonSerializable(typeof(StjExpress))]
public sealed partial class NestedJsonContext : JsonSerializerContext;
