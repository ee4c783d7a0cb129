using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace WeChatHandlers.Testing;

/// <summary>Reads the top-level scalar fields of a WeChat XML or JSON document (replies, envelopes, given pushes).</summary>
internal static class PushDocument
{
    public static WeChatFormat? Sniff(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        return trimmed.IsEmpty ? null : trimmed[0] == '<' ? WeChatFormat.Xml : trimmed[0] == '{' ? WeChatFormat.Json : null;
    }

    /// <summary>The document's top-level scalar fields; <see langword="null"/> when it is neither XML nor JSON or does not parse.</summary>
    public static IReadOnlyDictionary<string, string>? TryReadFields(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Sniff(text))
        {
            case WeChatFormat.Xml:
                XDocument document;
                try
                {
                    using var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
                    document = XDocument.Load(reader);
                }
                catch (XmlException)
                {
                    return null;
                }

                foreach (var element in document.Root!.Elements())
                {
                    if (!element.HasElements)
                    {
                        fields.TryAdd(element.Name.LocalName, element.Value);
                    }
                }

                return fields;
            case WeChatFormat.Json:
                JsonDocument json;
                try
                {
                    json = JsonDocument.Parse(text);
                }
                catch (JsonException)
                {
                    return null;
                }

                using (json)
                {
                    if (json.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        return null;
                    }

                    foreach (var property in json.RootElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind == JsonValueKind.String)
                        {
                            fields.TryAdd(property.Name, property.Value.GetString()!);
                        }
                        else if (property.Value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                        {
                            fields.TryAdd(property.Name, property.Value.GetRawText());
                        }
                    }
                }

                return fields;
            default:
                return null;
        }
    }
}
