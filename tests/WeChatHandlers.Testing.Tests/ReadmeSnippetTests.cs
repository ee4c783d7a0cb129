using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace WeChatHandlers.Testing.Tests;

/// <summary>
/// Every ```csharp block of README.md preceded by <c>&lt;!-- snippet: compile --&gt;</c> compiles as pasted, with
/// the WeChatHandlers generator run over it, against the shipped assemblies, with no warning. Blocks marked
/// <c>&lt;!-- snippet: compile group=NAME --&gt;</c> compile together as the files of one project (an app's
/// Program.cs and handlers, and its test). The project is what the README tells a user to create: the Web SDK's
/// implicit usings, nullable enabled, and the <c>Xunit</c> using a test project has. A block marked
/// <c>usings=test</c> stands in a test project alone (<c>dotnet new xunit</c>): the plain SDK's implicit usings and
/// <c>Xunit</c>, none of the Web SDK's.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json",
        "System.Threading", "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging", "Xunit",
    ];

    private static readonly string[] TestProjectUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks", "Xunit",
    ];

    // Assemblies of this repository that are not shipped: a snippet must not compile only because of them.
    private static readonly HashSet<string> NotShipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "ReadmeApp", "WeChatHandlers.Push", "WeChatHandlers.Testing.Tests",
    };

    [GeneratedRegex(@"<!--\s*snippet:\s*compile(?:\s+group=(?<group>[\w-]+))?(?:\s+usings=(?<usings>test))?\s*-->\s*\r?\n```csharp\r?\n(?<code>.*?)\r?\n```", RegexOptions.Singleline)]
    private static partial Regex Snippet();

    public static TheoryData<string> Groups()
    {
        var data = new TheoryData<string>();
        foreach (var name in ReadSnippets().Select(s => s.Group).Distinct())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_readme_marks_its_snippets()
    {
        var snippets = ReadSnippets();
        Assert.True(snippets.Count >= 5, $"Only {snippets.Count} marked snippets in README.md.");

        // Every C# block is compiled: by this test when marked, or, in "Typed events", by the generator tests' ReadmeTests.
        string readme = File.ReadAllText(Metadata("Readme"));
        int typedStart = readme.IndexOf("\n## Typed events", StringComparison.Ordinal);
        int typedEnd = readme.IndexOf("\n## ", typedStart + 1, StringComparison.Ordinal);
        string outside = readme[..typedStart] + readme[typedEnd..];
        int blocks = outside.Split("\n```csharp\n").Length - 1;
        Assert.True(typedStart > 0 && typedEnd > typedStart, "README has no 'Typed events' section");
        Assert.Equal(blocks, snippets.Count);
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Snippet_compiles(string group)
    {
        var sources = ReadSnippets().Where(s => s.Group == group).ToList();
        var parse = new CSharpParseOptions(LanguageVersion.CSharp12);
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s.Code, parse, path: $"README.md:{s.Line}")).ToList();
        var usings = sources.All(s => s.TestUsings) ? TestProjectUsings : ImplicitUsings;
        trees.Add(CSharpSyntaxTree.ParseText(string.Concat(usings.Select(u => $"global using global::{u};\n")), parse, path: "GlobalUsings.g.cs"));
        bool hasTopLevel = trees.Any(t => t.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any());
        var compilation = CSharpCompilation.Create(
            "Snippet_" + group.Replace('-', '_'),
            trees,
            References.Value,
            new CSharpCompilationOptions(hasTopLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable)
                // As the SDK does (NoWarn 1701;1702): references to older framework versions unify silently.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

        var driver = CSharpGeneratorDriver.Create([Generator.Value], parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var problems = generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToList();
        Assert.True(problems.Count == 0, $"README snippet group '{group}' does not compile cleanly:\n{string.Join("\n", problems)}");
    }

    private static readonly Lazy<ISourceGenerator> Generator = new(() =>
    {
        var assembly = Assembly.LoadFrom(Metadata("Generator"));
        var type = assembly.GetTypes().Single(t => typeof(IIncrementalGenerator).IsAssignableFrom(t) && !t.IsAbstract);
        return ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator();
    });

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => !NotShipped.Contains(Path.GetFileNameWithoutExtension(path)))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList());

    private static string Metadata(string key) =>
        typeof(ReadmeSnippetTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static List<(string Group, string Code, int Line, bool TestUsings)> ReadSnippets()
    {
        string readme = File.ReadAllText(Metadata("Readme"));
        var snippets = new List<(string, string, int, bool)>();
        int ungrouped = 0;
        foreach (Match match in Snippet().Matches(readme))
        {
            int line = readme.AsSpan(0, match.Index).Count('\n') + 1;
            string group = match.Groups["group"].Success ? match.Groups["group"].Value : $"line-{line}-{++ungrouped}";
            snippets.Add((group, match.Groups["code"].Value, line, match.Groups["usings"].Success));
        }

        return snippets;
    }
}
