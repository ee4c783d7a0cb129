namespace WeChatHandlers.Push;

// A named class rather than top-level statements: those make a public global Program, which would clash with the
// Program of an app that a test project references beside this tool.
internal static class Program
{
    private static Task<int> Main(string[] args) => PushCommand.RunAsync(args, Console.Out, Console.Error);
}
