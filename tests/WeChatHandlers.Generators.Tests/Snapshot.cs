using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace WeChatHandlers.Generators.Tests;

/// <summary>
/// Approved-file snapshots: <c>Snapshots/{Class}.{Test}#{hint}.verified.cs</c>. A mismatch writes a
/// <c>.received.cs</c> beside it and fails with the first differing line. <c>SNAPSHOT_ACCEPT=1</c> approves the new
/// text instead, except on CI (<c>CI</c> set), where an unapproved change must fail.
/// </summary>
internal static partial class Snapshot
{
    public static void Verify(string testClass, string actual, string hintName, [CallerMemberName] string test = "", [CallerFilePath] string callerFile = "")
    {
        string directory = Directory(callerFile);
        string stem = Path.Combine(directory, $"{testClass}.{test}#{Path.GetFileNameWithoutExtension(hintName)}");
        string verifiedPath = stem + ".verified.cs";
        string receivedPath = stem + ".received.cs";
        string received = Normalize(actual);
        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

        if (verified == received)
        {
            File.Delete(receivedPath);
            return;
        }

        bool accept = Environment.GetEnvironmentVariable("SNAPSHOT_ACCEPT") == "1"
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        if (accept)
        {
            System.IO.Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, received);
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail(verified is null
            ? $"No approved snapshot {verifiedPath}. Review {receivedPath}; run with SNAPSHOT_ACCEPT=1 to approve it."
            : $"Snapshot mismatch, see {receivedPath}.\n{FirstDifference(verified, received)}");
    }

    internal static string Normalize(string text)
    {
        text = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        text = VersionPattern().Replace(text, "$1VERSION$2");
        var lines = text.Split('\n').Select(l => l.TrimEnd());
        return string.Join("\n", lines).TrimEnd('\n') + "\n";
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? left = i < e.Length ? e[i] : null;
            string? right = i < a.Length ? a[i] : null;
            if (left != right)
            {
                return $"line {i + 1}:\n-{left ?? "<end of file>"}\n+{right ?? "<end of file>"}";
            }
        }

        return "the texts differ only in line endings";
    }

    private static string Directory(string callerFile)
    {
        // The build writes the folder into the assembly; a caller path can be rewritten (/_/...) by deterministic CI builds.
        string? configured = typeof(Snapshot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SnapshotDirectory")?.Value;
        return configured ?? Path.Combine(Path.GetDirectoryName(callerFile) ?? ".", "Snapshots");
    }

    [GeneratedRegex("""(GeneratedCodeAttribute\("WeChatHandlers\.Generators", ")[^"]*("\))""")]
    private static partial Regex VersionPattern();
}
