namespace WeChatHandlers;

/// <summary>
/// A dedupe store that records a finished message as done without a task per call: the endpoint answers WeChat
/// without waiting for the done mark anyway, so a store that can send the mark and read its reply where replies are
/// read spares every push the continuation, the state machines and the timeout around an awaited call. The store
/// bounds the call itself (a reply later than its command timeout fails it) and reports a failure to
/// <see cref="IDoneMarkFailures"/>, which logs and counts it as an awaited call's failure would be.
/// </summary>
internal interface IBackgroundDoneMarks
{
    /// <summary>
    /// Sends the done mark of <paramref name="key"/> for <paramref name="window"/>; false when it cannot be sent this
    /// way (not connected, or served by another client), and the caller then completes the message the awaited way.
    /// </summary>
    bool TryMarkDone(string key, TimeSpan window, IDoneMarkFailures failures);
}

/// <summary>
/// Where a background done mark's failure goes; called on whichever thread saw it. It should not throw: an exception
/// from it goes to <see cref="TaskScheduler.UnobservedTaskException"/>, as an unawaited task's would.
/// </summary>
internal interface IDoneMarkFailures
{
    void DoneMarkFailed(string key, Exception error);
}
