using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Generators;

namespace WeChatHandlers.Generators.Tests;

/// <summary>In-memory compilations of handler code, the generator run over them, and their output loaded and run.</summary>
internal static class TestCompilation
{
    public const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using WeChatHandlers;

        """;

    // Roslyn 4.8 knows C# 12 at most; the generated code must compile with it, as it does for .NET 8 SDK users.
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static CSharpCompilation Create(params string[] sources) =>
        CSharpCompilation.Create(
            "HandlersUnderTest",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Handlers{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new WeChatHandlersGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator and returns the compilation with its output plus the generated files by hint name.</summary>
    public static (Compilation Output, ImmutableDictionary<string, string> Files) Generate(Compilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var files = result.GeneratedSources.ToImmutableDictionary(s => s.HintName, s => s.SourceText.ToString());
        return (output, files);
    }

    /// <summary>Generates, then fails on any warning or error in the resulting compilation.</summary>
    public static (Compilation Output, ImmutableDictionary<string, string> Files) GenerateClean(params string[] sources)
    {
        var (output, files) = Generate(Create(sources));
        AssertClean(output);
        return (output, files);
    }

    public static void AssertClean(Compilation compilation)
    {
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, "The compilation has problems:\n" + string.Join("\n", problems));
    }

    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(params string[] sources)
    {
        var (output, _) = Generate(Create(sources));

        // Invalid handlers are skipped by the generator, so the program must still compile; only the analyzer complains.
        var compilerErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(compilerErrors.Count == 0, "The test source or the generated code does not compile:\n" + string.Join("\n", compilerErrors));

        var diagnostics = await output
            .WithAnalyzers([new WeChatHandlersAnalyzer()])
            .GetAnalyzerDiagnosticsAsync();
        return diagnostics;
    }

    /// <summary>Emits the compilation, loads it into a collectible context and calls <c>Probe.Dispatch(string)</c> for each payload.</summary>
    public static async Task<string[]> RunAsync(Compilation compilation, params string[] payloads)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        stream.Position = 0;

        var context = new AssemblyLoadContext("handlers-under-test", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(stream);
            var dispatch = assembly.GetType("Probe")?.GetMethod("Dispatch", BindingFlags.Public | BindingFlags.Static)
                ?? throw new InvalidOperationException("The test source has no static Probe.Dispatch(string).");
            var results = new string[payloads.Length];
            for (int i = 0; i < payloads.Length; i++)
            {
                results[i] = await (Task<string>)dispatch.Invoke(null, [payloads[i]])!;
            }

            return results;
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>
    /// A probe for compile-and-run tests: dispatches one payload through the generated AddWeChatHandlers and dispatcher
    /// in a fresh scope and returns "handler|reply|what the handlers logged".
    /// </summary>
    public const string Probe = Usings + """
        using System.Collections.Generic;
        using Microsoft.Extensions.DependencyInjection;

        public sealed class Log
        {
            public List<string> Lines { get; } = new();
            public void Add(string line) => Lines.Add(line);
        }

        public static class Probe
        {
            public static async Task<string> Dispatch(string payload)
            {
                var services = new ServiceCollection();
                services.AddScoped<Log>();
                services.AddWeChatHandlers();
                using var root = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
                using var scope = root.CreateScope();
                var dispatcher = scope.ServiceProvider.GetRequiredService<IWeChatDispatcher>();
                var result = await dispatcher.DispatchAsync(System.Text.Encoding.UTF8.GetBytes(payload), scope.ServiceProvider, CancellationToken.None);
                var log = scope.ServiceProvider.GetRequiredService<Log>();
                return result.HandlerName + "|" + result.Reply.Kind + "|" + string.Join(";", log.Lines);
            }
        }
        """;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !string.Equals(Path.GetFileName(p), "WeChatHandlers.Generators.dll", StringComparison.OrdinalIgnoreCase))
            .ToList();

        // The runtime and DI abstractions are what generated code calls; make sure they are there even if the host trims its list.
        paths.Add(typeof(WeChatDispatcherBase).Assembly.Location);
        paths.Add(typeof(IServiceCollection).Assembly.Location);
        paths.Add(typeof(ServiceCollection).Assembly.Location);
        return [.. paths.Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}

/// <summary>JSON packets for compile-and-run tests.</summary>
internal static class Packets
{
    public static string Text(string content) =>
        $$"""{"ToUserName":"gh_to","FromUserName":"o_from","CreateTime":1700000000,"MsgType":"text","Content":{{System.Text.Json.JsonSerializer.Serialize(content)}},"MsgId":42}""";

    public static string Event(string name) =>
        $$"""{"ToUserName":"gh_to","FromUserName":"o_from","CreateTime":1700000000,"MsgType":"event","Event":{{System.Text.Json.JsonSerializer.Serialize(name)}},"SessionFrom":"card"}""";

    public static string Of(string msgType) =>
        $$"""{"ToUserName":"gh_to","FromUserName":"o_from","CreateTime":1700000000,"MsgType":{{System.Text.Json.JsonSerializer.Serialize(msgType)}},"MsgId":43,"PicUrl":"http://p","MediaId":"m1","Title":"t","AppId":"wx1","PagePath":"pages/a","ThumbUrl":"","ThumbMediaId":"","Extra":"x"}""";
}
