using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Tests.Dispatch;

/// <summary>
/// Dispatch through the generated code allocates nothing of its own: a handler taking only the context costs 0 bytes,
/// and one taking a <see cref="TextMessage"/> costs only the message's strings.
/// </summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData("<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ping]]></Content><MsgId>1234567890123456</MsgId></xml>")]
    [InlineData("""{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"text","Content":"ping","MsgId":1234567890123456}""")]
    public async Task Static_handler_taking_only_the_context_allocates_nothing(string packet)
    {
        using var provider = new ServiceCollection().AddWeChatHandlers().BuildServiceProvider();
        var dispatcher = provider.GetRequiredService<IWeChatDispatcher>();
        ReadOnlyMemory<byte> bytes = SeedPackets.Utf8(packet);
        WarmUp(dispatcher, bytes, provider);
        int pingsBefore = AllocationHandlers.Pings;

        long before = GC.GetAllocatedBytesForCurrentThread();
        var pending = dispatcher.DispatchAsync(bytes, provider, CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal("AllocationHandlers.Ping", (await pending).HandlerName);
        Assert.Equal(pingsBefore + 1, AllocationHandlers.Pings);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[alloc 42 please]]></Content><MsgId>1234567890123456</MsgId></xml>")]
    [InlineData("""{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"text","Content":"alloc 42 please","MsgId":1234567890123456}""")]
    public async Task Static_handler_taking_a_text_message_allocates_only_its_strings(string packet)
    {
        using var provider = new ServiceCollection().AddWeChatHandlers().BuildServiceProvider();
        var dispatcher = provider.GetRequiredService<IWeChatDispatcher>();
        ReadOnlyMemory<byte> bytes = SeedPackets.Utf8(packet);
        WarmUp(dispatcher, bytes, provider);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var pending = dispatcher.DispatchAsync(bytes, provider, CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal("AllocationHandlers.Alloc", (await pending).HandlerName);
        var message = AllocationHandlers.LastText;
        Assert.Equal("alloc 42 please", message.Content);
        Assert.Equal("fromUser", message.FromUserName);
        Assert.Equal("toUser", message.ToUserName);

        // ToUserName may come from the runtime's small string cache; the other two strings are always new.
        long atMost = StringSize(message.ToUserName) + StringSize(message.FromUserName) + StringSize(message.Content);
        long atLeast = StringSize(message.FromUserName) + StringSize(message.Content);
        Assert.InRange(allocated, atLeast, atMost);
    }

    /// <summary>The heap size of a string on a 64-bit runtime: header, method table, length, characters and terminator, 8-aligned.</summary>
    private static long StringSize(string value) => (IntPtr.Size + IntPtr.Size + sizeof(int) + (2L * (value.Length + 1)) + 7) & ~7L;

    private static void WarmUp(IWeChatDispatcher dispatcher, ReadOnlyMemory<byte> bytes, IServiceProvider services)
    {
        for (int i = 0; i < 20; i++)
        {
            var pending = dispatcher.DispatchAsync(bytes, services, CancellationToken.None);
            Assert.True(pending.IsCompletedSuccessfully);
        }
    }
}
