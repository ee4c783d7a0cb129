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
    private readonly CancellationTokenSource _abort = new();

    public WeChatBackgroundQueue(Microsoft.Extensions.Options.IOptions<WeChatCallbackOptions> options) =>
        _channel = Channel.CreateBounded<Func<Task>>(new BoundedChannelOptions(options.Value.BackgroundQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
        });

    /// <summary>
    /// Fires when the host's shutdown timeout runs out while handlers still run. Until then shutdown waits for them:
    /// cancelling at the first sign of shutdown would throw away work WeChat was already told is done.
    /// </summary>
    public CancellationToken ShutdownDeadline => _abort.Token;

    public bool TryEnqueue(Func<Task> work) => _channel.Writer.TryWrite(work);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        using var abort = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
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
