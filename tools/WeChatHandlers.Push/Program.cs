namespace WeChatHandlers.Push;

// A named class rather than top-level statements: those make a public global Program, which would clash with the
// Program of an app that a test project references beside this tool.
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // fake-api runs until Ctrl+C: end it cleanly instead of killing the process.
            e.Cancel = true;
            stop.Cancel();
        };
        return await PushCommand.RunAsync(args, Console.Out, Console.Error, cancellationToken: stop.Token);
    }
}
