using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace WeChatHandlers.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        // --quick: one launch, few short iterations; the whole suite in a few minutes. Good for "did anything regress
        // by a lot", not for the published tables, which come from the default job.
        // --print-generated N: the dispatcher the generator makes for the scaling set of N handlers, to read what is measured.
        if (args.Length == 2 && args[0] == "--print-generated")
        {
            Console.WriteLine(InMemoryHandlers.Generate(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)));
            return 0;
        }

        // --probe-scaling N: dispatch the scaling set's last event a million times outside BenchmarkDotNet, for profilers
        // and JIT diagnostics (DOTNET_JitDisasmSummary=1) on the generated code.
        if (args.Length == 2 && args[0] == "--probe-scaling")
        {
            var probe = new DispatchScaling { Handlers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) };
            probe.Setup();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 1_000_000; i++)
            {
                probe.DispatchLast();
            }

            Console.WriteLine($"{watch.Elapsed.TotalNanoseconds / 1_000_000:F1} ns per dispatch (rough; the tables come from BenchmarkDotNet)");
            probe.Cleanup();
            return 0;
        }

        // --probe-endpoint CASE N [bare]: N requests through the mapped endpoint (EndpointPerRequest, CASE one of its
        // Params), or through its bare floor, outside BenchmarkDotNet, for profilers (perf with DOTNET_PerfMapEnabled=1)
        // and GC counts over a long run.
        if (args.Length is 3 or 4 && args[0] == "--probe-endpoint")
        {
            if (args.Length == 4 && args[3] != "bare")
            {
                Console.Error.WriteLine($"'{args[3]}': the fourth argument of --probe-endpoint can only be 'bare'.");
                return 2;
            }

            var probe = new EndpointPerRequest { Case = args[1] };
            probe.Setup();
            int count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
            int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            long allocated = GC.GetTotalAllocatedBytes(precise: false);
            var pauses = GC.GetTotalPauseDuration();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var lastHalf = TimeSpan.Zero;
            for (int i = 0; i < count; i++)
            {
                if (i == count / 2)
                {
                    lastHalf = watch.Elapsed;
                }

                _ = (args.Length == 4 ? probe.Bare() : probe.Ours()).GetAwaiter().GetResult();
            }

            watch.Stop();
            lastHalf = watch.Elapsed - lastHalf;

            // Tiered compilation takes tens of seconds on one core: the second half is the steady state.
            Console.WriteLine(
                $"{watch.Elapsed.TotalNanoseconds / count:F0} ns per request (rough; second half {lastHalf.TotalNanoseconds / (count - count / 2):F0} ns), " +
                $"{(GC.GetTotalAllocatedBytes(precise: false) - allocated) / count} B, " +
                $"GCs gen0/1/2 {GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]}, " +
                $"GC pauses {(GC.GetTotalPauseDuration() - pauses).TotalMilliseconds:F0} ms");
            probe.Cleanup();
            return 0;
        }

        // --compare-nested xml|json EVENT: ours and the format's first baseline in alternating batches in one process,
        // so both see the same machine; prints the fastest batch of each (rough, for a loaded machine).
        if (args.Length == 3 && args[0] == "--compare-nested")
        {
            var probe = NestedProbe(args[1], args[2]);
            double ours = double.MaxValue, baseline = double.MaxValue;
            long sum = 0;
            for (int round = 0; round < 60; round++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (int i = 0; i < 20_000; i++)
                {
                    sum += probe.Ours();
                }

                ours = Math.Min(ours, watch.Elapsed.TotalNanoseconds / 20_000);
                watch.Restart();
                for (int i = 0; i < 20_000; i++)
                {
                    sum += probe.FirstBaseline();
                }

                baseline = Math.Min(baseline, watch.Elapsed.TotalNanoseconds / 20_000);
            }

            Console.WriteLine($"{args[1]} {probe.Event}: ours {ours:F0} ns, baseline {baseline:F0} ns, baseline/ours {baseline / ours:F2} (checksum {sum})");
            return 0;
        }

        // --probe-nested xml|json EVENT N [baseline]: parse + bind one nested event N times outside BenchmarkDotNet, for
        // profilers; with "baseline", the format's first baseline (STJ source generation, XDocument by hand) instead.
        if (args.Length is 4 or 5 && args[0] == "--probe-nested")
        {
            if (args.Length == 5 && args[4] != "baseline")
            {
                Console.Error.WriteLine($"'{args[4]}': the fifth argument of --probe-nested can only be 'baseline'.");
                return 2;
            }

            var probe = NestedProbe(args[1], args[2]);
            int count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
            long sum = 0;
            for (int i = 0; i < 100_000; i++)
            {
                // Past tiered compilation before the clocks start.
                sum += args.Length == 4 ? probe.Ours() : probe.FirstBaseline();
            }

            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                sum += args.Length == 4 ? probe.Ours() : probe.FirstBaseline();
            }

            cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"{cpu.TotalNanoseconds / count:F0} ns CPU per bind, {watch.Elapsed.TotalNanoseconds / count:F0} ns wall (rough), checksum {sum}");
            return 0;
        }

        bool quick = args.Contains("--quick");
        args = [.. args.Where(a => a != "--quick")];

        var job = quick
            ? Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(150)).WithWarmupCount(2).WithId("Quick")
            : Job.Default;
        var config = DefaultConfig.Instance
            .AddJob(job)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend))
            .AddColumn(CategoriesColumn.Default)
            // No joined summary: it computes the ratio of every row against one class's baseline, not its own.
            .WithOptions(ConfigOptions.DisableLogFile);

        if (args.Length == 0)
        {
            args = ["--filter", "*"];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }

    /// <summary>The nested-binding benchmark of one format (<c>xml</c> or <c>json</c>) and event, set up for a probe.</summary>
    private static NestedBind NestedProbe(string format, string nestedEvent)
    {
        NestedBind probe = format.ToLowerInvariant() switch
        {
            "xml" => new XmlNestedBind(),
            "json" => new JsonNestedBind(),
            _ => throw new ArgumentException($"'{format}' is not a format: write xml or json.", nameof(format)),
        };
        probe.Event = Enum.Parse<NestedEvent>(nestedEvent, ignoreCase: true);
        probe.Setup();
        return probe;
    }
}
