using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using WeChatHandlers.Generators;

namespace WeChatHandlers.Generators.Tests;

/// <summary>The incremental pipeline reuses its work when nothing that matters changed, and only then.</summary>
public sealed class CacheabilityTests
{
    private const string Handlers = TestCompilation.Usings + """
        namespace App;

        public sealed class Support(IServiceProvider services)
        {
            [OnText("help")]
            public void Help(TextMessage m) => _ = services;

            [OnText(Pattern = "^[0-9]+$")]
            public void Digits(TextMessage m) { }

            [OnEvent("user_enter_tempsession")]
            public static void Enter(WeChatEvent e) { }

            [OnMessage("order")]
            public static void Ordered(Order o) { }
        }

        [WeChatPayload]
        public sealed partial class Order
        {
            [WeChatField("order_id")]
            public string Id { get; init; } = "";

            public int Count { get; init; }
        }
        """;

    [Fact]
    public void Rerun_on_a_clone_is_fully_cached()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        var result = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        AssertSteps(result, TrackingNames.All, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Adding_an_unrelated_file_is_fully_cached()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App; public sealed class Unrelated { public int X => 1; }", TestCompilation.ParseOptions, path: "Unrelated.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertSteps(result, TrackingNames.All, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Moving_a_handler_and_editing_its_body_keeps_the_model_equal()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        string moved = Handlers
            .Replace("namespace App;", "namespace App;\n\n// A comment and blank lines shift every location below.\n\n", StringComparison.Ordinal)
            .Replace("public void Help(TextMessage m) => _ = services;", "public void Help(TextMessage m)\n    {\n        _ = services;\n        _ = m.Content.Length;\n    }", StringComparison.Ordinal);
        var result = driver.RunGenerators(ReplaceOnlyTree(compilation, moved)).GetRunResult().Results.Single();

        Assert.Contains(StepReasons(result, TrackingNames.TextHandlers), r => r == IncrementalStepRunReason.Unchanged);
        AssertSteps(result, TrackingNames.Extraction, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(result, [TrackingNames.DispatchTable, TrackingNames.ServiceRegistrations], IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Renaming_an_event_regenerates_the_dispatcher_only()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        string renamed = Handlers.Replace("user_enter_tempsession", "kf_create_session", StringComparison.Ordinal);
        var result = driver.RunGenerators(ReplaceOnlyTree(compilation, renamed)).GetRunResult().Results.Single();

        Assert.Contains(StepReasons(result, TrackingNames.EventHandlers), r => r == IncrementalStepRunReason.Modified);
        Assert.Equal([IncrementalStepRunReason.Modified], StepReasons(result, TrackingNames.DispatchTable));

        // Static handlers are not registered, so the DI file is unaffected.
        Assert.Equal([IncrementalStepRunReason.Unchanged], StepReasons(result, TrackingNames.ServiceRegistrations));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, outputs);
        Assert.Contains(IncrementalStepRunReason.Cached, outputs);
        Assert.Contains("kf_create_session", result.GeneratedSources.Single(s => s.HintName == Emitter.DispatcherHintName).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_a_payload_member_regenerates_its_binder_only()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        string edited = Handlers.Replace("public int Count { get; init; }", "public long Count { get; init; }", StringComparison.Ordinal);
        var result = driver.RunGenerators(ReplaceOnlyTree(compilation, edited)).GetRunResult().Results.Single();

        Assert.Equal([IncrementalStepRunReason.Modified], StepReasons(result, TrackingNames.Payloads));
        AssertSteps(result, [TrackingNames.DispatchTable, TrackingNames.ServiceRegistrations], IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Contains("ReadInt64()", result.GeneratedSources.Single(s => s.HintName == "App.Order.WeChatPayload.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Renaming_a_wire_name_regenerates_the_binder()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        var result = driver.RunGenerators(ReplaceOnlyTree(compilation, Handlers.Replace("\"order_id\"", "\"orderId\"", StringComparison.Ordinal))).GetRunResult().Results.Single();

        Assert.Equal([IncrementalStepRunReason.Modified], StepReasons(result, TrackingNames.Payloads));
        Assert.Contains("\"orderId\"u8", result.GeneratedSources.Single(s => s.HintName == "App.Order.WeChatPayload.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Moving_a_payload_type_and_adding_a_method_to_it_keeps_the_model_equal()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        string moved = Handlers.Replace("[WeChatPayload]", "// Moved down.\n\n[WeChatPayload]", StringComparison.Ordinal)
            .Replace("public int Count { get; init; }", "public int Count { get; init; }\n\n    public override string ToString() => Id;", StringComparison.Ordinal);
        var result = driver.RunGenerators(ReplaceOnlyTree(compilation, moved)).GetRunResult().Results.Single();

        Assert.Equal([IncrementalStepRunReason.Unchanged], StepReasons(result, TrackingNames.Payloads));
        AssertOutputs(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Editing_an_unrelated_file_is_fully_cached()
    {
        var compilation = TestCompilation.Create(Handlers, OtherFile);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        var result = driver.RunGenerators(ReplaceTree(compilation, 1, OtherFile.Replace("=> 1;", "=> 2;", StringComparison.Ordinal))).GetRunResult().Results.Single();

        AssertSteps(result, TrackingNames.All, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Moving_the_payload_type_to_another_file_keeps_every_output()
    {
        var compilation = TestCompilation.Create(Handlers, OtherFile);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        int start = Handlers.IndexOf("[WeChatPayload]", StringComparison.Ordinal);
        string payload = Handlers[start..];
        var moved = ReplaceTree(ReplaceTree(compilation, 0, Handlers[..start]), 1, OtherFile + "\n" + payload);
        var result = driver.RunGenerators(moved).GetRunResult().Results.Single();

        AssertSteps(result, [TrackingNames.DispatchTable, TrackingNames.ServiceRegistrations], IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSameOutput(driver, result);
        AssertOutputs(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Moving_the_handler_class_to_another_file_keeps_the_model_equal()
    {
        var compilation = TestCompilation.Create(Handlers, OtherFile);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        int start = Handlers.IndexOf("public sealed class Support", StringComparison.Ordinal);
        int end = Handlers.IndexOf("[WeChatPayload]", StringComparison.Ordinal);
        string handlerClass = Handlers[start..end];
        var moved = ReplaceTree(ReplaceTree(compilation, 0, Handlers.Remove(start, end - start)), 1, OtherFile + "\n" + handlerClass);
        var result = driver.RunGenerators(moved).GetRunResult().Results.Single();

        AssertSteps(result, [TrackingNames.DispatchTable, TrackingNames.ServiceRegistrations, TrackingNames.Payloads], IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSameOutput(driver, result);
        AssertOutputs(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Changing_a_handler_constructor_regenerates_the_registration_only()
    {
        var compilation = TestCompilation.Create(Handlers);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);

        string edited = Handlers.Replace("Support(IServiceProvider services)", "Support(IServiceProvider services, IServiceProvider? more = null)", StringComparison.Ordinal);
        var result = driver.RunGenerators(ReplaceOnlyTree(compilation, edited)).GetRunResult().Results.Single();

        // The constructor is the registration's business: the dispatcher resolves the handler, it does not build it.
        Assert.Equal([IncrementalStepRunReason.Modified], StepReasons(result, TrackingNames.ServiceRegistrations));
        Assert.Equal([IncrementalStepRunReason.Unchanged], StepReasons(result, TrackingNames.DispatchTable));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Contains("GetService<global::System.IServiceProvider>(sp)", result.GeneratedSources.Single(s => s.HintName == Emitter.ServicesHintName).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Models_hold_no_roslyn_objects()
    {
        var compilation = TestCompilation.Create(Handlers, SnapshotTests.DesignExample.Replace("namespace Support;", "namespace Support2;", StringComparison.Ordinal));
        var result = TestCompilation.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        int walked = 0;
        foreach (var name in TrackingNames.All)
        {
            foreach (var step in result.TrackedSteps[name])
            {
                foreach (var (value, _) in step.Outputs)
                {
                    Walk(value, new HashSet<object>(ReferenceEqualityComparer.Instance), name);
                    walked++;
                }
            }
        }

        Assert.True(walked > 0);
    }

    private static void Walk(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Type type = value.GetType();
        Type[] forbidden = [typeof(Compilation), typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location)];
        foreach (var bad in forbidden)
        {
            Assert.False(bad.IsAssignableFrom(type), $"{path} holds a {bad.Name} ({type})");
        }

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items)
            {
                Walk(item, seen, $"{path}[{i++}]");
            }

            return;
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(value), seen, $"{path}.{field.Name}");
            }
        }
    }

    private const string OtherFile = TestCompilation.Usings + "namespace App;\n\npublic sealed class Unrelated\n{\n    public int X => 1;\n}\n";

    private static Compilation ReplaceTree(Compilation compilation, int index, string source)
    {
        var old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, TestCompilation.ParseOptions, path: old.FilePath));
    }

    /// <summary>Every file the second run generated is the one the first run generated, text for text.</summary>
    private static void AssertSameOutput(GeneratorDriver before, GeneratorRunResult after)
    {
        var first = before.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var second = after.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Assert.Equal(first.Keys.Order(StringComparer.Ordinal), second.Keys.Order(StringComparer.Ordinal));
        Assert.All(second, pair => Assert.Equal(first[pair.Key], pair.Value));
    }

    private static Compilation ReplaceOnlyTree(Compilation compilation, string source)
    {
        var old = compilation.SyntaxTrees.Single();
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, TestCompilation.ParseOptions, path: old.FilePath));
    }

    private static List<IncrementalStepRunReason> StepReasons(GeneratorRunResult result, string name) =>
        [.. result.TrackedSteps[name].SelectMany(s => s.Outputs).Select(o => o.Reason)];

    private static void AssertSteps(GeneratorRunResult result, IEnumerable<string> names, params IncrementalStepRunReason[] allowed)
    {
        // A FAWMN step for an attribute no method carries records nothing; those that ran must be reused.
        Assert.True(result.TrackedSteps.ContainsKey(TrackingNames.DispatchTable), "the dispatch table step did not run");
        foreach (var name in names.Where(result.TrackedSteps.ContainsKey))
        {
            var reasons = StepReasons(result, name);
            Assert.All(reasons, r => Assert.True(allowed.Contains(r), $"step {name} was {r}"));
        }
    }

    private static void AssertOutputs(GeneratorRunResult result, IncrementalStepRunReason expected)
    {
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(expected, o.Reason));
    }
}
