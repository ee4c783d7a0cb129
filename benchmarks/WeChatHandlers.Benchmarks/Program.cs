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
        bool quick = args.Contains("--quick");
        args = [.. args.Where(a => a != "--quick")];

        var job = quick
            ? Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(150)).WithWarmupCount(2).WithId("Quick")
            : Job.Default;
        var config = DefaultConfig.Instance
            .AddJob(job)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend))
            .AddColumn(CategoriesColumn.Default)
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);

        if (args.Length == 0)
        {
            args = ["--filter", "*"];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
