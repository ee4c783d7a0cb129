using WeChatHandlers.Payloads;

namespace WeChatHandlers;

/// <summary>A text message (<c>MsgType</c> <c>text</c>).</summary>
/// <remarks>A value type, bound by its generated binder: binding it allocates only its strings.</remarks>
[WeChatPayload]
public readonly partial struct TextMessage
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The user's OpenID.</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The text the user sent.</summary>
    public string Content { get; init; } = string.Empty;

    /// <summary>The message id.</summary>
    public long MsgId { get; init; }

    /// <summary>Binds a text message from a scanned payload (the generated binder).</summary>
    public static TextMessage FromPayload(in WeChatPayload payload) => WeChatBinding.Bind<TextMessage>(payload);

    /// <summary>Binds a text message with its content replaced by <paramref name="content"/>.</summary>
    public static TextMessage FromPayload(in WeChatPayload payload, string content) => WeChatBinding.Bind<TextMessage>(payload) with { Content = content };
}

/// <summary>An image message (<c>MsgType</c> <c>image</c>).</summary>
[WeChatPayload]
public readonly partial struct ImageMessage
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The user's OpenID.</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>A system-generated URL of the image.</summary>
    public string PicUrl { get; init; } = string.Empty;

    /// <summary>The temporary media id; fetch the bytes through the media API.</summary>
    public string MediaId { get; init; } = string.Empty;

    /// <summary>The message id.</summary>
    public long MsgId { get; init; }

    /// <summary>Binds an image message from a scanned payload (the generated binder).</summary>
    public static ImageMessage FromPayload(in WeChatPayload payload) => WeChatBinding.Bind<ImageMessage>(payload);
}

/// <summary>A mini program card message (<c>MsgType</c> <c>miniprogrampage</c>).</summary>
[WeChatPayload]
public readonly partial struct MiniProgramPageMessage
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The user's OpenID.</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The message id.</summary>
    public long MsgId { get; init; }

    /// <summary>The card's title.</summary>
    public string Title { get; init; } = string.Empty;

    /// <summary>The AppId of the mini program on the card.</summary>
    public string AppId { get; init; } = string.Empty;

    /// <summary>The page path on the card.</summary>
    public string PagePath { get; init; } = string.Empty;

    /// <summary>A temporary CDN URL of the cover (may be empty).</summary>
    public string ThumbUrl { get; init; } = string.Empty;

    /// <summary>The temporary media id of the cover (may be empty).</summary>
    public string ThumbMediaId { get; init; } = string.Empty;

    /// <summary>Binds a mini program card message from a scanned payload (the generated binder).</summary>
    public static MiniProgramPageMessage FromPayload(in WeChatPayload payload) => WeChatBinding.Bind<MiniProgramPageMessage>(payload);
}

/// <summary>The <c>user_enter_tempsession</c> event: the user opened the customer-service session.</summary>
[WeChatPayload]
public readonly partial struct UserEnterTempSessionEvent
{
    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; } = string.Empty;

    /// <summary>The user's OpenID.</summary>
    public string FromUserName { get; init; } = string.Empty;

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The <c>session-from</c> attribute of the contact button.</summary>
    public string SessionFrom { get; init; } = string.Empty;

    /// <summary>Binds the event from a scanned payload (the generated binder).</summary>
    public static UserEnterTempSessionEvent FromPayload(in WeChatPayload payload) => WeChatBinding.Bind<UserEnterTempSessionEvent>(payload);
}

/// <summary>Any event (<c>MsgType</c> <c>event</c>); other fields through <see cref="GetField(string)"/>.</summary>
public readonly struct WeChatEvent
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly WeChatFormat _format;

    private WeChatEvent(ReadOnlyMemory<byte> data, WeChatFormat format)
    {
        _data = data;
        _format = format;
        ToUserName = FromUserName = Event = string.Empty;
    }

    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; }

    /// <summary>The user's OpenID (for platform events, the push-service account).</summary>
    public string FromUserName { get; init; }

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The event name.</summary>
    public string Event { get; init; }

    /// <summary>
    /// Any field by path (ordinal wire names): <c>a</c>, <c>a.b</c>, <c>a[2].b</c> (XML: the third repeated element
    /// <c>a</c>; JSON: the array index, a single object being index 0). The decoded text of a scalar (numbers as
    /// their text); <see langword="null"/> when absent or not a scalar. Reads the payload, which is valid while the
    /// handler runs.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not of that form.</exception>
    public string? GetField(string path) => WeChatPayload.GetField(_data, _format, path);

    /// <summary>Binds the event from a scanned payload.</summary>
    public static WeChatEvent FromPayload(in WeChatPayload payload) => FromPayload(payload, payload.GetString(WeChatField.Event));

    /// <summary>Binds the event with an event name already known (a matched route), avoiding its allocation.</summary>
    public static WeChatEvent FromPayload(in WeChatPayload payload, string eventName) => new(payload.Data, payload.Format)
    {
        ToUserName = payload.GetString(WeChatField.ToUserName),
        FromUserName = payload.GetString(WeChatField.FromUserName),
        CreateTime = payload.GetInt64(WeChatField.CreateTime),
        Event = eventName,
    };
}

/// <summary>Any message or event; other fields through <see cref="GetField(string)"/>.</summary>
public readonly struct WeChatMessage
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly WeChatFormat _format;

    private WeChatMessage(ReadOnlyMemory<byte> data, WeChatFormat format)
    {
        _data = data;
        _format = format;
        ToUserName = FromUserName = MsgType = string.Empty;
    }

    /// <summary>The mini program's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; init; }

    /// <summary>The user's OpenID.</summary>
    public string FromUserName { get; init; }

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>The message type (<c>text</c>, <c>image</c>, <c>event</c>, …).</summary>
    public string MsgType { get; init; }

    /// <summary>
    /// Any field by path (ordinal wire names): <c>a</c>, <c>a.b</c>, <c>a[2].b</c> (XML: the third repeated element
    /// <c>a</c>; JSON: the array index, a single object being index 0). The decoded text of a scalar (numbers as
    /// their text); <see langword="null"/> when absent or not a scalar. Reads the payload, which is valid while the
    /// handler runs.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not of that form.</exception>
    public string? GetField(string path) => WeChatPayload.GetField(_data, _format, path);

    /// <summary>Binds the message from a scanned payload.</summary>
    public static WeChatMessage FromPayload(in WeChatPayload payload) => FromPayload(payload, KnownMsgType(payload));

    /// <summary>Binds the message with a message type already known (a matched route), avoiding its allocation.</summary>
    public static WeChatMessage FromPayload(in WeChatPayload payload, string msgType) => new(payload.Data, payload.Format)
    {
        ToUserName = payload.GetString(WeChatField.ToUserName),
        FromUserName = payload.GetString(WeChatField.FromUserName),
        CreateTime = payload.GetInt64(WeChatField.CreateTime),
        MsgType = msgType,
    };

    private static string KnownMsgType(in WeChatPayload payload) =>
        payload.KnownMsgType() ?? payload.GetString(WeChatField.MsgType);
}
