using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// Build-time cost of the generator on a project with 200 handlers: a cold run (a fresh driver, as in a clean build)
/// and an incremental run after an edit of one handler body (what the IDE does on every keystroke).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("generator")]
public class GeneratorCost
{
    private const int HandlerCount = 200;

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warmDriver = null!;

    [GlobalSetup]
    public void Setup()
    {
        string source = InMemoryHandlers.EventHandlersSource(HandlerCount);
        _compilation = InMemoryHandlers.Compilation("Generator200", source);

        // An edit inside a method body: the handler model is unchanged, so the generator's outputs should be cached.
        var tree = _compilation.SyntaxTrees[0];
        var editedTree = tree.WithChangedText(tree.GetText().Replace(source.IndexOf("Totals.Value += e.CreateTime", StringComparison.Ordinal), "Totals.Value += e.CreateTime".Length, "Totals.Value -= e.CreateTime"));
        _edited = _compilation.ReplaceSyntaxTree(tree, editedTree);

        // Force binding so the benchmarks measure the generator, not the compiler's first semantic pass.
        _ = _compilation.GetDiagnostics();
        _ = _edited.GetDiagnostics();

        var run = InMemoryHandlers.Driver().RunGenerators(_compilation);
        var result = run.GetRunResult();
        if (result.Diagnostics.Any(d => d.Severity >= DiagnosticSeverity.Warning) || result.GeneratedTrees.Length == 0)
        {
            throw new InvalidOperationException("The generator did not produce clean output for 200 handlers.");
        }

        _warmDriver = run;
    }

    [Benchmark(Description = "200 handlers, cold run")]
    public int Cold() => InMemoryHandlers.Driver().RunGenerators(_compilation).GetRunResult().GeneratedTrees.Length;

    [Benchmark(Description = "200 handlers, incremental after a body edit")]
    public int Incremental() => _warmDriver.RunGenerators(_edited).GetRunResult().GeneratedTrees.Length;
}
