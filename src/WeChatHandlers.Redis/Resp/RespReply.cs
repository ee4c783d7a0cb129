namespace WeChatHandlers.Redis.Resp;

/// <summary>The kinds of RESP2 reply the dedupe commands receive.</summary>
internal enum RespKind : byte
{
    /// <summary><c>+OK</c>: <see cref="RespReply.Text"/> is not kept.</summary>
    Status,

    /// <summary><c>-ERR ...</c>: <see cref="RespReply.Text"/> holds the message.</summary>
    Error,

    /// <summary><c>:1</c>.</summary>
    Integer,

    /// <summary><c>$1\r\nD</c>: <see cref="RespReply.Text"/> holds the value.</summary>
    Bulk,

    /// <summary><c>$-1</c> (or <c>*-1</c>): no value.</summary>
    Null,
}

/// <summary>One reply, as far as the dedupe commands read it.</summary>
internal readonly record struct RespReply(RespKind Kind, long Integer, string? Text)
{
    /// <summary>The reply, or <see cref="StackExchange.Redis.RedisServerException"/> when Redis answered with an error.</summary>
    public RespReply ThrowIfError() =>
        Kind == RespKind.Error ? throw new StackExchange.Redis.RedisServerException(Text ?? "ERR") : this;
}
