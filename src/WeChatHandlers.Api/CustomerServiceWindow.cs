namespace WeChatHandlers.Api;

/// <summary>The user action that opened (or last reset) a customer-service window.</summary>
public enum CustomerServiceWindowOrigin
{
    /// <summary>The user sent a message: 5 messages within 48 hours.</summary>
    UserMessage = 0,

    /// <summary>The user entered the customer-service session (<c>user_enter_tempsession</c>): 2 messages within 1 minute.</summary>
    SessionEntered = 1,
}

/// <summary>What the tracker knows about one user's send window.</summary>
/// <param name="Origin">The action that last reset the window.</param>
/// <param name="Remaining">How many messages may still be sent.</param>
/// <param name="ExpiresAt">When the window closes.</param>
public readonly record struct CustomerServiceWindow(CustomerServiceWindowOrigin Origin, int Remaining, DateTimeOffset ExpiresAt)
{
    /// <summary>Messages allowed after a user message.</summary>
    public const int UserMessageQuota = 5;

    /// <summary>Messages allowed after entering the session.</summary>
    public const int SessionEnteredQuota = 2;

    /// <summary>How long a user message keeps the window open.</summary>
    public static readonly TimeSpan UserMessageValidity = TimeSpan.FromHours(48);

    /// <summary>How long entering the session keeps the window open.</summary>
    public static readonly TimeSpan SessionEnteredValidity = TimeSpan.FromMinutes(1);
}

/// <summary>The outcome of <see cref="ICustomerServiceWindowTracker.TryReserveSend"/>.</summary>
public enum CustomerServiceWindowState
{
    /// <summary>Nothing is known about the user (for example after a restart): the send goes ahead.</summary>
    Unknown = 0,

    /// <summary>The window is open and one message was reserved from it.</summary>
    Reserved = 1,

    /// <summary>The window is open but no messages remain (WeChat would answer 45047).</summary>
    Spent = 2,

    /// <summary>The window is over (WeChat would answer 45015).</summary>
    Over = 3,
}

/// <summary>A message reserved (or refused) from a user's window.</summary>
/// <param name="State">Whether the send may go ahead.</param>
/// <param name="Window">The window after the reservation, when known.</param>
/// <param name="Version">Identifies the window generation the reservation was taken from, so cancelling it after the
/// window was reset gives nothing back.</param>
public readonly record struct CustomerServiceWindowReservation(CustomerServiceWindowState State, CustomerServiceWindow? Window, long Version);
