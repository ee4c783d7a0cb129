using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace WeChatHandlers.Testing;

/// <summary>
/// A push as WeChat sends it, built field by field: the common header (ToUserName, FromUserName, CreateTime,
/// MsgType), the message's or event's own fields, nested objects and repeated items. Render it as XML or JSON with
/// <see cref="ToXml"/> / <see cref="ToJson"/>, or sign (and encrypt) it for an endpoint with
/// <see cref="Sign(WeChatTestAccount, WeChatPushOptions?)"/>. Instances are immutable: <c>With…</c> returns a copy.
/// </summary>
/// <example>
/// <code>
/// var push = WeChatPush.Event("wxa_media_check").With("result.suggest", "risky").From("user-1");
/// string xml = push.ToXml();
/// </code>
/// </example>
public sealed class WeChatPush
{
    private readonly PushObject _root;
    private readonly string? _raw;

    private WeChatPush(PushObject root, string? raw)
    {
        _root = root;
        _raw = raw;
    }

    /// <summary>The user every template pushes from unless <see cref="From"/> says otherwise.</summary>
    public const string DefaultUser = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY";

    /// <summary>The mini program's original id templates address unless <see cref="To"/> says otherwise.</summary>
    public const string DefaultOriginalId = "gh_97417a04a28d";

    /// <summary>A push with only the common header and <c>MsgType</c> <paramref name="msgType"/>.</summary>
    /// <param name="msgType">The MsgType, e.g. <c>text</c> or <c>event</c>.</param>
    public static WeChatPush Create(string msgType)
    {
        ArgumentException.ThrowIfNullOrEmpty(msgType);
        var root = new PushObject();
        root.Set("ToUserName", PushValue.Text(DefaultOriginalId));
        root.Set("FromUserName", PushValue.Text(DefaultUser));
        root.Set("CreateTime", PushValue.Number(DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        root.Set("MsgType", PushValue.Text(msgType));
        return new WeChatPush(root, null);
    }

    /// <summary>
    /// A push built from raw top-level fields, in order. Values that are integers are written as numbers
    /// (<c>CreateTime</c>, <c>MsgId</c>); everything else as text. Nothing is added: give the header fields too.
    /// </summary>
    /// <param name="fields">Field names and values.</param>
    public static WeChatPush FromFields(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var root = new PushObject();
        foreach (var (name, value) in fields)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(fields));
            root.Set(name, IsInteger(value) ? PushValue.Number(value) : PushValue.Text(value ?? string.Empty));
        }

        return new WeChatPush(root, null);
    }

    /// <summary>
    /// A push whose plaintext is exactly <paramref name="document"/> (XML or JSON, sent as given). Its format is the
    /// document's; it cannot be changed with <c>With…</c>.
    /// </summary>
    /// <param name="document">The whole push document.</param>
    public static WeChatPush FromDocument(string document)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(document);
        return new WeChatPush(new PushObject(), document);
    }

    /// <summary>A text message (<see cref="TextMessage"/>) with a fresh MsgId.</summary>
    /// <param name="content">What the user typed.</param>
    public static WeChatPush Text(string content) => WeChatPushTemplates.Create("text").With("Content", content);

    /// <summary>An image message (<see cref="ImageMessage"/>) with a fresh MsgId.</summary>
    /// <param name="mediaId">The MediaId the handler sees.</param>
    public static WeChatPush Image(string mediaId = "media-id-1") => WeChatPushTemplates.Create("image").With("MediaId", mediaId);

    /// <summary>A mini program card (<see cref="MiniProgramPageMessage"/>) with a fresh MsgId.</summary>
    /// <param name="title">The card's title.</param>
    /// <param name="pagePath">The card's page path.</param>
    public static WeChatPush MiniProgramPage(string title = "A card", string pagePath = "pages/index/index")
        => WeChatPushTemplates.Create("miniprogrampage").With("Title", title).With("PagePath", pagePath);

    /// <summary>The user opened the customer-service chat (<see cref="UserEnterTempSessionEvent"/>).</summary>
    /// <param name="sessionFrom">The button's <c>session-from</c>.</param>
    public static WeChatPush UserEnterTempSession(string sessionFrom = "") =>
        WeChatPushTemplates.Create("user_enter_tempsession").With("SessionFrom", sessionFrom);

    /// <summary>
    /// The catalogue template of event <paramref name="eventName"/> (every event of protocol.md §6 with example
    /// values), or, for an event the catalogue does not know, a bare event push with that name.
    /// </summary>
    /// <param name="eventName">The Event, e.g. <c>subscribe_msg_popup_event</c>.</param>
    public static WeChatPush Event(string eventName)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        return WeChatPushTemplates.TryCreate(eventName, out var push) && push.Get("MsgType") == "event"
            ? push
            : Create("event").With("Event", eventName);
    }

    /// <summary>
    /// The catalogue template of message type <paramref name="msgType"/> (<c>text</c>, <c>image</c>,
    /// <c>miniprogrampage</c>), or a bare push of that MsgType with a fresh MsgId.
    /// </summary>
    /// <param name="msgType">The MsgType.</param>
    public static WeChatPush Message(string msgType)
    {
        ArgumentException.ThrowIfNullOrEmpty(msgType);
        return WeChatPushTemplates.TryCreate(msgType, out var push) && push.Get("MsgType") == msgType
            ? push
            : Create(msgType).With("MsgId", WeChatPushTemplates.NextMsgId());
    }

    /// <summary>The names <see cref="FromTemplate"/> knows: message types and events.</summary>
    public static IReadOnlyList<string> TemplateNames => WeChatPushTemplates.Names;

    /// <summary>The catalogue template <paramref name="name"/> (a message type or an event).</summary>
    /// <param name="name">One of <see cref="TemplateNames"/>.</param>
    /// <exception cref="ArgumentException">The catalogue has no such template; the message lists them.</exception>
    public static WeChatPush FromTemplate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return WeChatPushTemplates.TryCreate(name, out var push)
            ? push
            : throw new ArgumentException($"No push template '{name}'. Known: {string.Join(", ", WeChatPushTemplates.Names)}.", nameof(name));
    }

    /// <summary>Whether this push was given as a whole document (<see cref="FromDocument"/>).</summary>
    public bool IsDocument => _raw is not null;

    /// <summary>The format of a push given as a document; <see langword="null"/> for a built one (either format).</summary>
    public WeChatFormat? DocumentFormat => _raw is null ? null : _raw.TrimStart()[0] == '<' ? WeChatFormat.Xml : WeChatFormat.Json;

    /// <summary>Sets the field at <paramref name="path"/> (<c>Content</c>, <c>result.suggest</c>, <c>List[1].TemplateId</c>) to text.
    /// An existing number field stays a number when the value is an integer. An index one past the end adds an item.</summary>
    /// <param name="path">Field names separated by dots; <c>[i]</c> selects a repeated item.</param>
    /// <param name="value">The value.</param>
    public WeChatPush With(string path, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Edit(path, existing => existing is { Kind: PushValueKind.Number } && IsInteger(value) ? PushValue.Number(value) : PushValue.Text(value));
    }

    /// <summary>Sets the field at <paramref name="path"/> to a number.</summary>
    /// <param name="path">As for <see cref="With(string, string)"/>.</param>
    /// <param name="value">The value.</param>
    public WeChatPush With(string path, long value) =>
        Edit(path, _ => PushValue.Number(value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Removes the field at <paramref name="path"/> (nothing happens when it is absent).</summary>
    /// <param name="path">As for <see cref="With(string, string)"/>.</param>
    public WeChatPush Without(string path)
    {
        ThrowIfDocument();
        var root = _root.Clone();
        var (parent, name, _) = Navigate(root, path, create: false);
        parent?.Remove(name);
        return new WeChatPush(root, null);
    }

    /// <summary>Sets FromUserName: the user's openid.</summary>
    /// <param name="openId">The openid.</param>
    public WeChatPush From(string openId) => With("FromUserName", openId);

    /// <summary>Sets ToUserName: the mini program's original id.</summary>
    /// <param name="originalId">The <c>gh_…</c> id.</param>
    public WeChatPush To(string originalId) => With("ToUserName", originalId);

    /// <summary>Sets CreateTime.</summary>
    /// <param name="time">When the user acted.</param>
    public WeChatPush At(DateTimeOffset time) => With("CreateTime", time.ToUnixTimeSeconds());

    /// <summary>The text of the scalar field at <paramref name="path"/>, or <see langword="null"/>.</summary>
    /// <param name="path">As for <see cref="With(string, string)"/>.</param>
    public string? Get(string path)
    {
        ThrowIfDocument();
        var (parent, name, _) = Navigate(_root, path, create: false);
        return parent?.Get(name) is { Kind: PushValueKind.Text or PushValueKind.Number } value ? value.Scalar : null;
    }

    /// <summary>The push as WeChat's XML: <c>&lt;xml&gt;…&lt;/xml&gt;</c>, text in CDATA, numbers bare, repeated items as repeated elements.</summary>
    public string ToXml()
    {
        if (_raw is not null)
        {
            return DocumentFormat == WeChatFormat.Xml ? _raw : throw new InvalidOperationException("This push is a JSON document; it cannot be rendered as XML.");
        }

        var xml = new StringBuilder("<xml>");
        WriteXml(xml, _root);
        return xml.Append("</xml>").ToString();
    }

    /// <summary>The push as WeChat's JSON: one object, numbers as numbers, repeated items as arrays; text is not <c>\u</c>-escaped.</summary>
    public string ToJson()
    {
        if (_raw is not null)
        {
            return DocumentFormat == WeChatFormat.Json ? _raw : throw new InvalidOperationException("This push is an XML document; it cannot be rendered as JSON.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteJson(writer, _root);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The push in <paramref name="format"/>.</summary>
    /// <param name="format">XML or JSON.</param>
    public string Render(WeChatFormat format) => format switch
    {
        WeChatFormat.Xml => ToXml(),
        WeChatFormat.Json => ToJson(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Signs the push as WeChat does (and encrypts it when <see cref="WeChatPushOptions.Encrypt"/> is set).</summary>
    /// <param name="account">The Token, and for safe mode the EncodingAESKey and AppId.</param>
    /// <param name="options">Format, encryption, timestamp and nonce; the defaults send plaintext XML.</param>
    public WeChatSignedPush Sign(WeChatTestAccount account, WeChatPushOptions? options = null) =>
        WeChatSignedPush.Create(this, account, options ?? new WeChatPushOptions());

    /// <inheritdoc/>
    public override string ToString() => _raw ?? ToJson();

    private WeChatPush Edit(string path, Func<PushValue?, PushValue> value)
    {
        ThrowIfDocument();
        var root = _root.Clone();
        var (parent, name, _) = Navigate(root, path, create: true);
        parent!.Set(name, value(parent.Get(name)));
        return new WeChatPush(root, null);
    }

    private void ThrowIfDocument()
    {
        if (_raw is not null)
        {
            throw new InvalidOperationException("This push was given as a whole document; its fields cannot be read or changed.");
        }
    }

    /// <summary>Walks <paramref name="path"/> to the object holding its last segment.</summary>
    private static (PushObject? Parent, string Name, int Index) Navigate(PushObject root, string path, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var segments = path.Split('.');
        var current = root;
        for (int i = 0; i < segments.Length; i++)
        {
            var (name, index) = ParseSegment(segments[i], path);
            bool last = i == segments.Length - 1;
            if (last && index < 0)
            {
                return (current, name, -1);
            }

            if (last)
            {
                throw new ArgumentException($"The path '{path}' ends in an item index; name a field of the item, e.g. '{path}.TemplateId'.", nameof(path));
            }

            var existing = current.Get(name);
            if (index < 0)
            {
                if (existing is { Kind: PushValueKind.Object })
                {
                    current = existing.Object!;
                }
                else if (existing is { Kind: PushValueKind.List } && existing.Items!.Count > 0)
                {
                    current = existing.Items[0];
                }
                else if (create)
                {
                    var child = new PushObject();
                    current.Set(name, PushValue.Of(child));
                    current = child;
                }
                else
                {
                    return (null, name, -1);
                }

                continue;
            }

            List<PushObject> items;
            if (existing is { Kind: PushValueKind.List })
            {
                items = existing.Items!;
            }
            else if (existing is { Kind: PushValueKind.Object })
            {
                items = [existing.Object!];
                current.Set(name, PushValue.Of(items, null));
            }
            else if (create && existing is null)
            {
                items = [];
                current.Set(name, PushValue.Of(items, null));
            }
            else
            {
                return (null, name, -1);
            }

            if (index < items.Count)
            {
                current = items[index];
            }
            else if (create && index == items.Count)
            {
                var item = new PushObject();
                items.Add(item);
                current = item;
            }
            else if (create)
            {
                throw new ArgumentException($"'{path}': '{name}' has {items.Count} item(s); the next one is [{items.Count}].", nameof(path));
            }
            else
            {
                return (null, name, -1);
            }
        }

        throw new ArgumentException($"Invalid field path '{path}'.", nameof(path));
    }

    private static (string Name, int Index) ParseSegment(string segment, string path)
    {
        int open = segment.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return segment.Length > 0 ? (segment, -1) : throw new ArgumentException($"Invalid field path '{path}'.", nameof(path));
        }

        if (open == 0 || !segment.EndsWith(']') ||
            !int.TryParse(segment.AsSpan(open + 1, segment.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            throw new ArgumentException($"Invalid field path '{path}': write an item as name[index].", nameof(path));
        }

        return (segment[..open], index);
    }

    private static bool IsInteger(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length < 20 && (value[0] != '0' || value.Length == 1) &&
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static void WriteXml(StringBuilder xml, PushObject obj)
    {
        foreach (var (name, value) in obj.Fields)
        {
            switch (value.Kind)
            {
                case PushValueKind.Text:
                    xml.Append('<').Append(name).Append("><![CDATA[")
                        .Append(value.Scalar!.Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal))
                        .Append("]]></").Append(name).Append('>');
                    break;
                case PushValueKind.Number:
                    xml.Append('<').Append(name).Append('>').Append(value.Scalar).Append("</").Append(name).Append('>');
                    break;
                case PushValueKind.Object:
                    xml.Append('<').Append(name).Append('>');
                    WriteXml(xml, value.Object!);
                    xml.Append("</").Append(name).Append('>');
                    break;
                case PushValueKind.List:
                    if (value.XmlWrapper is not null)
                    {
                        xml.Append('<').Append(value.XmlWrapper).Append('>');
                    }

                    foreach (var item in value.Items!)
                    {
                        xml.Append('<').Append(name).Append('>');
                        WriteXml(xml, item);
                        xml.Append("</").Append(name).Append('>');
                    }

                    if (value.XmlWrapper is not null)
                    {
                        xml.Append("</").Append(value.XmlWrapper).Append('>');
                    }

                    break;
            }
        }
    }

    private static void WriteJson(Utf8JsonWriter json, PushObject obj)
    {
        json.WriteStartObject();
        foreach (var (name, value) in obj.Fields)
        {
            json.WritePropertyName(name);
            switch (value.Kind)
            {
                case PushValueKind.Text:
                    json.WriteStringValue(value.Scalar);
                    break;
                case PushValueKind.Number:
                    json.WriteRawValue(value.Scalar!, skipInputValidation: false);
                    break;
                case PushValueKind.Object:
                    WriteJson(json, value.Object!);
                    break;
                case PushValueKind.List:
                    json.WriteStartArray();
                    foreach (var item in value.Items!)
                    {
                        WriteJson(json, item);
                    }

                    json.WriteEndArray();
                    break;
            }
        }

        json.WriteEndObject();
    }

    internal static WeChatPush Build(Action<PushObject> fill)
    {
        var push = Create("event");
        var root = push._root.Clone();
        fill(root);
        return new WeChatPush(root, null);
    }
}

internal enum PushValueKind
{
    Text,
    Number,
    Object,
    List,
}

/// <summary>One field value: text, a number (kept as its invariant text), a nested object or repeated items.</summary>
internal sealed class PushValue
{
    private PushValue(PushValueKind kind) => Kind = kind;

    public PushValueKind Kind { get; }

    public string? Scalar { get; private init; }

    public PushObject? Object { get; private init; }

    public List<PushObject>? Items { get; private init; }

    /// <summary>The XML element that wraps the repeated items (subscribe events' <c>SubscribeMsgPopupEvent</c>); JSON has none.</summary>
    public string? XmlWrapper { get; private init; }

    public static PushValue Text(string value) => new(PushValueKind.Text) { Scalar = value };

    public static PushValue Number(string value) => new(PushValueKind.Number) { Scalar = value };

    public static PushValue Of(PushObject value) => new(PushValueKind.Object) { Object = value };

    public static PushValue Of(List<PushObject> items, string? xmlWrapper) => new(PushValueKind.List) { Items = items, XmlWrapper = xmlWrapper };

    public PushValue Clone() => Kind switch
    {
        PushValueKind.Object => Of(Object!.Clone()),
        PushValueKind.List => Of(Items!.Select(i => i.Clone()).ToList(), XmlWrapper),
        _ => this,
    };
}

/// <summary>An ordered set of fields (a push, or one nested object).</summary>
internal sealed class PushObject
{
    public List<(string Name, PushValue Value)> Fields { get; } = [];

    public PushValue? Get(string name)
    {
        foreach (var (n, v) in Fields)
        {
            if (n == name)
            {
                return v;
            }
        }

        return null;
    }

    public PushObject Set(string name, PushValue value)
    {
        for (int i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == name)
            {
                // A list keeps its XML wrapper when one of its items is replaced through a path.
                Fields[i] = (name, value);
                return this;
            }
        }

        Fields.Add((name, value));
        return this;
    }

    public PushObject Text(string name, string value) => Set(name, PushValue.Text(value));

    public PushObject Number(string name, long value) => Set(name, PushValue.Number(value.ToString(CultureInfo.InvariantCulture)));

    public PushObject Child(string name, Action<PushObject> fill)
    {
        var child = new PushObject();
        fill(child);
        return Set(name, PushValue.Of(child));
    }

    public PushObject List(string name, string? xmlWrapper, params Action<PushObject>[] items)
    {
        var list = new List<PushObject>();
        foreach (var fill in items)
        {
            var item = new PushObject();
            fill(item);
            list.Add(item);
        }

        return Set(name, PushValue.Of(list, xmlWrapper));
    }

    public void Remove(string name) => Fields.RemoveAll(f => f.Name == name);

    public PushObject Clone()
    {
        var copy = new PushObject();
        foreach (var (name, value) in Fields)
        {
            copy.Fields.Add((name, value.Clone()));
        }

        return copy;
    }
}
