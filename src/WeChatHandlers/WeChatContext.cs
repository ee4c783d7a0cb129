using WeChatHandlers.Payloads;

namespace WeChatHandlers;

/// <summary>
/// What a handler may want to know about the push besides the message: the account, the format, whether it was
/// encrypted, and the raw plaintext. A value type: taking it costs nothing.
/// </summary>
public readonly struct WeChatContext
{
    /// <summary>The AppId of the mini program the push was for, when the endpoint knows it.</summary>
    public string? AppId { get; init; }

    /// <summary>The push's format; replies are rendered in it.</summary>
    public WeChatFormat Format { get; init; }

    /// <summary>Whether the push arrived in safe (or compatibility) mode and was decrypted.</summary>
    public bool IsEncrypted { get; init; }

    /// <summary>The plaintext payload bytes. Valid while the handler runs; copy them to keep them.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Any field of the payload by path (<c>a</c>, <c>a.b</c>, <c>a[2].b</c>); see <see cref="WeChatPayload.GetField(string)"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not of that form.</exception>
    public string? GetField(string path) => WeChatPayload.GetField(Payload, Format, path);

    /// <summary>A context for a plaintext payload.</summary>
    public static WeChatContext For(in WeChatPayload payload, string? appId = null, bool isEncrypted = false) => new()
    {
        AppId = appId,
        Format = payload.Format,
        IsEncrypted = isEncrypted,
        Payload = payload.Data,
    };
}
