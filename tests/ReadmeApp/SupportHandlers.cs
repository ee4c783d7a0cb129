using WeChatHandlers;
using WeChatHandlers.Api;

public sealed class SupportHandlers(ICustomerServiceClient reply)
{
    [OnEvent("user_enter_tempsession")]
    public Task Welcome(UserEnterTempSessionEvent e, CancellationToken ct)
        => reply.SendTextAsync(e.FromUserName, "Hi! Type 'help' for the menu.", ct);

    [OnText("help")]
    public Task Help(TextMessage m, CancellationToken ct)
        => reply.SendTextAsync(m.FromUserName, "1. Orders  2. Returns  3. Talk to a person", ct);

    [OnText]
    public WeChatReply Other(TextMessage m) => WeChatReply.TransferToCustomerService();
}
