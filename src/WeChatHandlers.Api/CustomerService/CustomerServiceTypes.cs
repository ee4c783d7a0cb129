namespace WeChatHandlers.Api;

/// <summary>A link message (<c>msgtype</c> <c>link</c>).</summary>
/// <param name="Title">The title.</param>
/// <param name="Description">The description.</param>
/// <param name="Url">Where the link leads.</param>
/// <param name="ThumbUrl">The picture (JPG or PNG; 640×320 large or 80×80 small look best).</param>
public sealed record LinkCard(string Title, string Description, string Url, string ThumbUrl);

/// <summary>A mini program card (<c>msgtype</c> <c>miniprogrampage</c>).</summary>
/// <param name="Title">The card's title.</param>
/// <param name="PagePath">The page it opens, e.g. <c>pages/index/index?foo=bar</c>.</param>
/// <param name="ThumbMediaId">The cover: the media_id of an uploaded image (520×416 recommended).</param>
public sealed record MiniProgramCard(string Title, string PagePath, string ThumbMediaId);

/// <summary>The typing indicator's command.</summary>
public enum TypingCommand
{
    /// <summary>Shows "typing…" for up to 15 s (<c>Typing</c>).</summary>
    Typing = 0,

    /// <summary>Hides it (<c>CancelTyping</c>).</summary>
    CancelTyping = 1,
}

/// <summary>An uploaded temporary media item (valid 3 days).</summary>
/// <param name="MediaId">The media_id to send or attach.</param>
/// <param name="Type">The media type WeChat reports (<c>image</c>).</param>
/// <param name="CreatedAt">When WeChat stored it.</param>
public sealed record TemporaryMedia(string MediaId, string Type, DateTimeOffset CreatedAt);

/// <summary>A downloaded temporary media item. Dispose it to release the connection.</summary>
public sealed class TemporaryMediaContent : IDisposable, IAsyncDisposable
{
    private readonly HttpResponseMessage _response;

    internal TemporaryMediaContent(HttpResponseMessage response, Stream content)
    {
        _response = response;
        Content = content;
        ContentType = response.Content.Headers.ContentType?.MediaType;
        FileName = response.Content.Headers.ContentDisposition?.FileName?.Trim('"');
        Length = response.Content.Headers.ContentLength;
    }

    /// <summary>The media bytes, read as they arrive.</summary>
    public Stream Content { get; }

    /// <summary>The media type WeChat declared, e.g. <c>image/jpeg</c>.</summary>
    public string? ContentType { get; }

    /// <summary>The file name from <c>Content-Disposition</c>, when present.</summary>
    public string? FileName { get; }

    /// <summary>The length in bytes, when WeChat declared it.</summary>
    public long? Length { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }
}
