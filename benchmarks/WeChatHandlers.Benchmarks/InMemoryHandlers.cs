using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Generators;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// Handler projects of any size, built in memory: the source of N handlers, the real generator run over it through
/// <see cref="CSharpGeneratorDriver"/>, and the result compiled with optimizations and loaded. One assembly per set,
/// because the generator makes one dispatcher per assembly.
/// </summary>
public static class InMemoryHandlers
{
    // The generated code must compile with C# 12, the language of the generator's Roslyn floor (4.8).
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The event name of handler <paramref name="index"/>: all of one length, so they share a length bucket.</summary>
    public static string EventName(int index) => $"scaling_event_{index:D3}";

    /// <summary>
    /// N classes with one <c>[OnEvent]</c> handler each; every third handler is an instance method with a constructor
    /// dependency, the rest static, as in a real project. The handlers read the event and keep a count.
    /// </summary>
    public static string EventHandlersSource(int count)
    {
        var source = new StringBuilder("""
            using System.Threading;
            using System.Threading.Tasks;
            using WeChatHandlers;

            namespace Scaling;

            public sealed class Counter { public long Value; }

            public static class Totals { public static long Value; }

            """);
        for (int i = 0; i < count; i++)
        {
            if (i % 3 == 2)
            {
                source.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
                    public sealed class Handlers{{i}}(Counter counter)
                    {
                        [OnEvent("{{EventName(i)}}")]
                        public ValueTask Handle(WeChatEvent e, CancellationToken cancellationToken)
                        {
                            counter.Value += e.CreateTime;
                            return ValueTask.CompletedTask;
                        }
                    }

                    """);
            }
            else
            {
                source.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
                    public static class Handlers{{i}}
                    {
                        [OnEvent("{{EventName(i)}}")]
                        public static void Handle(WeChatEvent e) => Totals.Value += e.CreateTime + e.FromUserName.Length;
                    }

                    """);
            }
        }

        return source.ToString();
    }

    public static CSharpCompilation Compilation(string assemblyName, string source) =>
        CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Handlers.cs")],
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create([new WeChatHandlersGenerator().AsSourceGenerator()], parseOptions: ParseOptions);

    /// <summary>The generated sources for the scaling set of <paramref name="count"/> handlers.</summary>
    public static string Generate(int count)
    {
        var driver = Driver().RunGenerators(Compilation($"Scaling{count}", EventHandlersSource(count)));
        return string.Join("\n", driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()));
    }

    /// <summary>Generates, compiles and loads the handlers; returns their <c>AddWeChatHandlers</c> applied to a fresh collection.</summary>
    public static IServiceCollection BuildAndLoad(string assemblyName, string source)
    {
        var compilation = Compilation(assemblyName, source);
        Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var problems = diagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The in-memory handler project does not compile cleanly:\n" + string.Join("\n", problems));
        }

        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        if (!emitted.Success)
        {
            throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        }

        stream.Position = 0;
        var assembly = AssemblyLoadContext.Default.LoadFromStream(stream);

        // The generated extension is internal to its assembly; reflection here is set-up only, never on the measured path.
        var add = assembly.GetType("Microsoft.Extensions.DependencyInjection.WeChatHandlersServiceCollectionExtensions", throwOnError: true)!
            .GetMethod("AddWeChatHandlers", BindingFlags.Public | BindingFlags.Static)!;
        var services = new ServiceCollection();
        var counter = assembly.GetType("Scaling.Counter");
        if (counter is not null)
        {
            services.AddScoped(counter);
        }

        add.Invoke(null, [services]);
        return services;
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !string.Equals(Path.GetFileName(p), "WeChatHandlers.Generators.dll", StringComparison.OrdinalIgnoreCase))
            .ToList();
        paths.Add(typeof(WeChatDispatcherBase).Assembly.Location);
        paths.Add(typeof(IServiceCollection).Assembly.Location);
        paths.Add(typeof(ServiceCollection).Assembly.Location);
        return [.. paths.Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
