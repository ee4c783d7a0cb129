namespace WeChatHandlers;

/// <summary>What kind of synchronous answer WeChat gets.</summary>
public enum WeChatReplyKind : byte
{
    /// <summary>The body <c>success</c>.</summary>
    Success = 0,

    /// <summary>An empty body (WeChat treats it like <c>success</c>).</summary>
    Empty = 1,

    /// <summary>A <c>transfer_customer_service</c> packet: WeChat hands the message to the customer-service tool.</summary>
    TransferToCustomerService = 2,
}

/// <summary>
/// The synchronous answer to a push. The default is <see cref="Success"/>; mini programs reply to users
/// asynchronously through the customer-service API, so the only other packet is the transfer.
/// </summary>
public readonly struct WeChatReply : IEquatable<WeChatReply>
{
    private WeChatReply(WeChatReplyKind kind) => Kind = kind;

    /// <summary>The kind of answer.</summary>
    public WeChatReplyKind Kind { get; }

    /// <summary>Answer <c>success</c> (the default).</summary>
    public static WeChatReply Success => default;

    /// <summary>Answer with an empty body.</summary>
    public static WeChatReply Empty => new(WeChatReplyKind.Empty);

    /// <summary>
    /// Hand this message to the web customer-service tool. Rendered in the request's format (XML or JSON), with
    /// To and From swapped, and encrypted when the request was. Use it for user messages, never for events.
    /// </summary>
    public static WeChatReply TransferToCustomerService() => new(WeChatReplyKind.TransferToCustomerService);

    /// <inheritdoc />
    public bool Equals(WeChatReply other) => Kind == other.Kind;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WeChatReply other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)Kind;

    /// <inheritdoc />
    public override string ToString() => Kind.ToString();

    /// <summary>Equality.</summary>
    public static bool operator ==(WeChatReply left, WeChatReply right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(WeChatReply left, WeChatReply right) => !left.Equals(right);
}
