namespace WeChatHandlers;

/// <summary>The data format of a push, sniffed from its first non-whitespace byte.</summary>
public enum WeChatFormat : byte
{
    /// <summary>An <c>&lt;xml&gt;</c> document.</summary>
    Xml = 0,

    /// <summary>A JSON object.</summary>
    Json = 1,
}
