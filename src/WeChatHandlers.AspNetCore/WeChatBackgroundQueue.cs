using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The bounded queue of messages acknowledged before their handler ran. Drained on shutdown: work already
/// accepted runs to completion (within the host's shutdown timeout).
/// </summary>
internal sealed class WeChatBackgroundQueue : BackgroundService
{
    private readonly Channel<Func<Task>> _channel;

    public WeChatBackgroundQueue(Microsoft.Extensions.Options.IOptions<WeChatCallbackOptions> options) =>
        _channel = Channel.CreateBounded<Func<Task>>(new BoundedChannelOptions(options.Value.BackgroundQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
        });

    public bool TryEnqueue(Func<Task> work) => _channel.Writer.TryWrite(work);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A few readers so one slow handler does not hold up the rest. The loop ignores stoppingToken on purpose:
        // accepted work is drained after the writer completes.
        var readers = new Task[Math.Max(2, Environment.ProcessorCount)];
        for (int i = 0; i < readers.Length; i++)
        {
            readers[i] = Task.Run(ReadAsync, CancellationToken.None);
        }

        return Task.WhenAll(readers);
    }

    private async Task ReadAsync()
    {
        await foreach (var work in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            // Work items handle their own failures (logged and counted); nothing escapes them.
            await work().ConfigureAwait(false);
        }
    }
}
