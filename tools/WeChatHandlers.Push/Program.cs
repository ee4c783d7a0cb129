using System.Runtime.InteropServices;

namespace WeChatHandlers.Push;

// A named class rather than top-level statements: those make a public global Program, which would clash with the
// Program of an app that a test project references beside this tool.
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();

        // fake-api runs until Ctrl+C or SIGTERM: end it cleanly instead of killing the process.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await PushCommand.RunAsync(args, Console.Out, Console.Error, cancellationToken: stop.Token);
    }
}
