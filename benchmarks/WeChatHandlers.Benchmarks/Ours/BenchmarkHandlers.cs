namespace WeChatHandlers.Benchmarks.Ours;

/// <summary>
/// The handlers of the framework side of the comparison. Static, so dispatch resolves nothing from DI and the
/// measurement is the framework's own cost: scan, route, bind, invoke. Each reads the fields a real handler would
/// and folds them into <see cref="Sink"/>, exactly as the baselines' handlers do.
/// </summary>
public static class BenchmarkHandlers
{
    [OnText]
    public static void Text(TextMessage message) =>
        Sink.Take(message.ToUserName, message.FromUserName, message.Content, message.CreateTime + message.MsgId);

    // Exact text beats [OnText]: the packet with Content "ping" reaches the context-only handler.
    [OnText("ping")]
    public static void Ping(WeChatContext context) => Sink.Take(context.Payload.Length);

    [OnImage]
    public static void Image(ImageMessage message) =>
        Sink.Take(message.ToUserName, message.FromUserName, message.MediaId, message.CreateTime + message.MsgId);

    [OnMiniProgramPage]
    public static void Page(MiniProgramPageMessage message) =>
        Sink.Take(message.ToUserName, message.FromUserName, message.PagePath, message.CreateTime + message.MsgId);

    [OnEvent("user_enter_tempsession")]
    public static void Enter(UserEnterTempSessionEvent message) =>
        Sink.Take(message.ToUserName, message.FromUserName, message.SessionFrom, message.CreateTime);
}
