using System.Collections.Concurrent;
using WeChatHandlers.Api;

namespace WeChatHandlers.Testing.Tests;

/// <summary>What the handlers saw, per test (keyed by the user each test pushes from).</summary>
public sealed class Seen
{
    public ConcurrentDictionary<string, string> ByUser { get; } = new();
}

public sealed class KitHandlers(ICustomerServiceClient reply, Seen seen)
{
    [OnText("help")]
    public Task Help(TextMessage m, CancellationToken ct) => reply.SendTextAsync(m.FromUserName, "menu", ct);

    [OnText("typing")]
    public async Task Typing(TextMessage m, CancellationToken ct)
    {
        await reply.SetTypingAsync(m.FromUserName, TypingCommand.Typing, ct);
        await using var media = await reply.GetTempMediaAsync("media-in", ct);
        var uploaded = await reply.UploadTempMediaAsync(media.Content, "echo.jpg", "image/jpeg", ct);
        await reply.SendImageAsync(m.FromUserName, uploaded.MediaId, ct);
    }

    [OnText(Prefix = "try ")]
    public async Task Try(TextMessage m, CancellationToken ct)
    {
        try
        {
            await reply.SendTextAsync(m.FromUserName, m.Content, ct);
            seen.ByUser[m.FromUserName] = "sent";
        }
        catch (WeChatApiException e)
        {
            seen.ByUser[m.FromUserName] = "errcode " + e.ErrorCode;
        }
    }

    [OnText]
    public WeChatReply Human(TextMessage m) => WeChatReply.TransferToCustomerService();

    [OnEvent("wxa_media_check")]
    public void MediaCheck(WeChatEvent e) => seen.ByUser[e.FromUserName] = e.GetField("trace_id") ?? "";

    [OnEvent("user_enter_tempsession")]
    public Task Welcome(UserEnterTempSessionEvent e, CancellationToken ct) => reply.SendTextAsync(e.FromUserName, "welcome from " + e.SessionFrom, ct);
}
