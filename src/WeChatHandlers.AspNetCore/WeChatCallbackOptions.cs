namespace WeChatHandlers.AspNetCore;

/// <summary>One mini program served by the callback endpoint.</summary>
public sealed class WeChatCallbackAccountOptions
{
    /// <summary>The mini program's AppId (<c>wx…</c>); checked against the id embedded in safe-mode ciphertext.</summary>
    public string? AppId { get; set; }

    /// <summary>The Token configured in the mini program console; signs every push.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>The 43-character EncodingAESKey; required for safe and compatibility mode.</summary>
    public string? EncodingAESKey { get; set; }

    /// <summary>The original id (<c>gh_…</c>) that pushes carry as ToUserName; selects the account when several share one route.</summary>
    public string? OriginalId { get; set; }

    /// <summary>Refuse plaintext POSTs for this account (safe mode mandatory). Needs <see cref="EncodingAESKey"/>.</summary>
    public bool RequireEncryption { get; set; }
}

/// <summary>Options of <c>MapWeChatCallback</c>, bound from the configuration section <c>WeChat</c>.</summary>
public sealed class WeChatCallbackOptions
{
    /// <summary>The default account's Token (<c>WeChat:Token</c>).</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>The default account's EncodingAESKey (<c>WeChat:EncodingAESKey</c>).</summary>
    public string? EncodingAESKey { get; set; }

    /// <summary>The default account's AppId (<c>WeChat:AppId</c>).</summary>
    public string? AppId { get; set; }

    /// <summary>The default account's original id (<c>WeChat:OriginalId</c>).</summary>
    public string? OriginalId { get; set; }

    /// <summary>Refuse plaintext POSTs when a key is configured (<c>WeChat:RequireEncryption</c>).</summary>
    public bool RequireEncryption { get; set; }

    /// <summary>Further mini programs served by the same endpoint (<c>WeChat:Accounts:0:AppId</c> …).</summary>
    public IList<WeChatCallbackAccountOptions> Accounts { get; } = [];

    /// <summary>The largest accepted body in bytes; larger bodies get 413. Default 64 KB.</summary>
    public int MaxBodySize { get; set; } = 64 * 1024;

    /// <summary>When WeChat is answered; handlers may override it with their attribute's <c>Ack</c>. Default: after the handler.</summary>
    public WeChatAckMode AckMode { get; set; } = WeChatAckMode.AfterHandler;

    /// <summary>How long the endpoint waits for a handler before answering anyway (the handler continues). Default 4 s, inside WeChat's 5 s.</summary>
    public TimeSpan HandlerDeadline { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>The cancellation deadline handed to handlers, counted from arrival. Default 60 s.</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a handled message is remembered to acknowledge WeChat's retries. Default 5 minutes; at least 60 s.</summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a message's in-flight claim lives unless its run renews it (every third of it). When an instance dies
    /// mid-handler, a retry takes the message over at most this long after its last renewal. Default 3 s.
    /// </summary>
    public TimeSpan DedupeLease { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest one dedupe store call may take before the push is refused with 503 (WeChat retries). Default 1 s.</summary>
    public TimeSpan DedupeStoreTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most message keys the in-memory dedupe store keeps. Default 100 000.</summary>
    public int DedupeCapacity { get; set; } = 100_000;

    /// <summary>The capacity of the queue of acknowledged-first messages. Default 1024; when full, pushes get 503 and WeChat retries.</summary>
    public int BackgroundQueueCapacity { get; set; } = 1024;

    /// <summary>Answer 500 when a handler throws, so WeChat retries (the retry runs the handler again). Default: answer <c>success</c>.</summary>
    public bool ReturnServerErrorOnHandlerFailure { get; set; }

    internal IEnumerable<WeChatCallbackAccountOptions> AllAccounts()
    {
        if (!string.IsNullOrEmpty(Token) || !string.IsNullOrEmpty(AppId))
        {
            yield return new WeChatCallbackAccountOptions
            {
                AppId = AppId,
                Token = Token,
                EncodingAESKey = EncodingAESKey,
                OriginalId = OriginalId,
                RequireEncryption = RequireEncryption,
            };
        }

        foreach (var account in Accounts)
        {
            yield return account;
        }
    }
}
