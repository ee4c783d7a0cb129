using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WeChatHandlers.Api.Json;

// Wire shapes of protocol.md §7 and §8. Property order is declaration order, which matches the documented bodies.

/// <summary>The <c>errcode</c>/<c>errmsg</c> pair every WeChat answer may carry.</summary>
internal interface IWeChatResult
{
    int ErrCode { get; }

    string? ErrMsg { get; }
}

internal sealed class WeChatResult : IWeChatResult
{
    [JsonPropertyName("errcode")]
    public int ErrCode { get; set; }

    [JsonPropertyName("errmsg")]
    public string? ErrMsg { get; set; }
}

internal sealed class AccessTokenResult : IWeChatResult
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; set; }

    [JsonPropertyName("errcode")]
    public int ErrCode { get; set; }

    [JsonPropertyName("errmsg")]
    public string? ErrMsg { get; set; }
}

internal sealed class MediaUploadResult : IWeChatResult
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("media_id")]
    public string? MediaId { get; set; }

    [JsonPropertyName("created_at")]
    public long CreatedAt { get; set; }

    [JsonPropertyName("errcode")]
    public int ErrCode { get; set; }

    [JsonPropertyName("errmsg")]
    public string? ErrMsg { get; set; }
}

internal sealed record StableTokenRequest(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("appid")] string AppId,
    [property: JsonPropertyName("secret")] string Secret,
    [property: JsonPropertyName("force_refresh")] bool ForceRefresh);

internal sealed record TextBody([property: JsonPropertyName("content")] string Content);

internal sealed record ImageBody([property: JsonPropertyName("media_id")] string MediaId);

internal sealed record LinkBody(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("thumb_url")] string ThumbUrl);

internal sealed record MiniProgramPageBody(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("pagepath")] string PagePath,
    [property: JsonPropertyName("thumb_media_id")] string ThumbMediaId);

internal sealed record SendTextRequest(
    [property: JsonPropertyName("touser")] string ToUser,
    [property: JsonPropertyName("msgtype")] string MsgType,
    [property: JsonPropertyName("text")] TextBody Text);

internal sealed record SendImageRequest(
    [property: JsonPropertyName("touser")] string ToUser,
    [property: JsonPropertyName("msgtype")] string MsgType,
    [property: JsonPropertyName("image")] ImageBody Image);

internal sealed record SendLinkRequest(
    [property: JsonPropertyName("touser")] string ToUser,
    [property: JsonPropertyName("msgtype")] string MsgType,
    [property: JsonPropertyName("link")] LinkBody Link);

internal sealed record SendMiniProgramPageRequest(
    [property: JsonPropertyName("touser")] string ToUser,
    [property: JsonPropertyName("msgtype")] string MsgType,
    [property: JsonPropertyName("miniprogrampage")] MiniProgramPageBody MiniProgramPage);

internal sealed record TypingRequest(
    [property: JsonPropertyName("touser")] string ToUser,
    [property: JsonPropertyName("command")] string Command);

internal sealed record StoredAccessToken(
    [property: JsonPropertyName("v")] string Value,
    [property: JsonPropertyName("e")] long ExpiresAtUnixMilliseconds);

[JsonSerializable(typeof(WeChatResult))]
[JsonSerializable(typeof(AccessTokenResult))]
[JsonSerializable(typeof(MediaUploadResult))]
[JsonSerializable(typeof(StableTokenRequest))]
[JsonSerializable(typeof(SendTextRequest))]
[JsonSerializable(typeof(SendImageRequest))]
[JsonSerializable(typeof(SendLinkRequest))]
[JsonSerializable(typeof(SendMiniProgramPageRequest))]
[JsonSerializable(typeof(TypingRequest))]
[JsonSerializable(typeof(StoredAccessToken))]
internal sealed partial class WeChatApiJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context used for every body: relaxed escaping writes CJK text as raw UTF-8 instead of <c>\uXXXX</c>
    /// (WeChat answers 40033 to escaped text on some APIs), and numbers are read from strings too.
    /// </summary>
    public static WeChatApiJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    });
}
