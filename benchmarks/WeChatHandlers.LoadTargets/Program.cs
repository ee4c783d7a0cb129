using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using WeChatHandlers;
using WeChatHandlers.AspNetCore;
using WeChatHandlers.Benchmarks;
using WeChatHandlers.Security;
using WeChatHandlers.Tests;

// The servers of the HTTP load comparison, and the signed requests they are loaded with.
//   ours       <urls>          this framework in its default configuration: AddWeChatHandlers + AddWeChatCallback +
//                              MapWeChatCallback("/wechat"), the default memory dedupe store, a handler that reads the
//                              text message and does no I/O
//   ours-redis <urls>          the same with AddWeChatRedisDedupe(WeChat__Redis), the store several instances share
//   ours-safe  <urls>          the same with a dedupe store that forgets finished keys: only for the safe-mode rows,
//                              whose pre-encrypted requests repeat (see ForgetfulDedupeStore)
//   bare       <urls>          the floor: Kestrel reading the body and answering "success", nothing else
//   bare-redis <urls>          the floor of any endpoint that asks Redis before it runs: bare, plus the Redis dedupe
//                              store's claim (awaited) and done mark (sent as the endpoint sends it, without a task)
//                              on a key of its own per request
//   requests <dir> <count>     writes <dir>/{xml,json}-{plain,aes}.txt: one "path<TAB>body" line per request, each a
//                              seed text message signed for the token below; plaintext files hold one line whose
//                              MsgId 1234567890123456 post.lua replaces per request, aes files <count> messages with
//                              their own MsgIds
// Settings come from the WeChat section (WeChat__Token, WeChat__AppId, WeChat__EncodingAESKey environment variables).
string mode = args.Length > 0 ? args[0] : string.Empty;
switch (mode)
{
    case "ours":
    case "ours-redis":
    case "ours-safe":
    case "bare":
    case "bare-redis":
        var builder = WebApplication.CreateSlimBuilder(args[1..]);

        // Per-request log lines would measure the console, not the framework; production runs at Warning too.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        bool ours = !mode.StartsWith("bare", StringComparison.Ordinal);
        if (mode == "ours-safe")
        {
            builder.Services.AddSingleton<IWeChatDedupeStore, ForgetfulDedupeStore>();
        }

        if (mode is "ours-redis" or "bare-redis")
        {
            builder.Services.AddWeChatRedisDedupe(builder.Configuration["WeChat:Redis"] ?? "127.0.0.1:6379");
        }

        if (ours)
        {
            builder.Services.AddWeChatHandlers();
            builder.Services.AddWeChatCallback(builder.Configuration.GetSection("WeChat"));
        }

        FirstChance.Start();
        var allocations = AllocationSampler.Start();
        var app = builder.Build();
        if (allocations is not null)
        {
            app.MapGet("/allocations", allocations.Report);
        }

        if (ours)
        {
            app.MapWeChatCallback("/wechat");
            if (FirstChance.Recording)
            {
                app.MapGet("/exceptions", FirstChance.Report);
            }

            app.MapGet("/stats", () =>
                $"handled={LoadHandlers.Handled} skipped={ForgetfulDedupeStore.Skipped} {RuntimeStats.Line()} exceptions={FirstChance.Count}");
        }
        else if (mode == "bare-redis")
        {
            var store = app.Services.GetRequiredService<IWeChatDedupeStore>();
            app.MapPost("/wechat", http => Bare.HandleWithStoreAsync(http, store));
            app.MapGet("/stats", RuntimeStats.Line);
        }
        else
        {
            app.MapPost("/wechat", Bare.HandleAsync);

            // What every target can say (benchmarks/http/server-costs.sh reads work_items).
            app.MapGet("/stats", RuntimeStats.Line);
        }

        await app.RunAsync();
        return 0;

    case "requests":
        Requests.Write(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), Environment.GetEnvironmentVariable("WeChat__Token")!,
            Environment.GetEnvironmentVariable("WeChat__EncodingAESKey")!, Environment.GetEnvironmentVariable("WeChat__AppId")!);
        return 0;

    default:
        Console.Error.WriteLine("usage: ours|bare --urls http://127.0.0.1:PORT, or requests <dir> <count>");
        return 2;
}

/// <summary>
/// Counts exceptions thrown anywhere in the server (caught or not): a hot path should throw none. With
/// <c>WECHAT_EXCEPTION_TYPES=1</c>, <c>GET /exceptions</c> lists them by type and message, to tell where they come from.
/// </summary>
internal static class FirstChance
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> s_kinds = new();
    private static long s_count;

    public static long Count => Interlocked.Read(ref s_count);

    public static bool Recording { get; } = Environment.GetEnvironmentVariable("WECHAT_EXCEPTION_TYPES") == "1";

    public static void Start() => AppDomain.CurrentDomain.FirstChanceException += static (_, e) =>
    {
        Interlocked.Increment(ref s_count);
        if (Recording)
        {
            s_kinds.AddOrUpdate($"{e.Exception.GetType().FullName}: {e.Exception.Message}", 1, static (_, n) => n + 1);
        }
    };

    public static string Report() => string.Join("\n", s_kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Value} {k.Key}"));
}

/// <summary>The runtime's counters over the server's life: allocation, collections, GC pauses, thread-pool work.</summary>
internal static class RuntimeStats
{
    public static string Line() =>
        $"allocated_mb={GC.GetTotalAllocatedBytes() >> 20} gcs={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} " +
        $"gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} work_items={ThreadPool.CompletedWorkItemCount} pool_threads={ThreadPool.ThreadCount}";
}

internal static class Bare
{
    private static readonly byte[] s_success = "success"u8.ToArray();

    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(5);
    private static readonly string s_run = Guid.NewGuid().ToString("N");
    private static long s_next;

    /// <summary>
    /// As <see cref="HandleAsync"/>, with the two store calls every first delivery makes: the claim, awaited before the
    /// answer, and the done mark, sent as the endpoint sends it (without a task when the store can, else not awaited).
    /// Keys are this process's own.
    /// </summary>
    public static async Task HandleWithStoreAsync(HttpContext http, IWeChatDedupeStore store)
    {
        long n = Interlocked.Increment(ref s_next);
        string key = string.Concat(s_run, n.ToString(CultureInfo.InvariantCulture));
        if (await store.TryBeginAsync(key, n, s_lease, http.RequestAborted) != WeChatDedupeDecision.Run)
        {
            throw new InvalidOperationException($"The store did not let a new key {key} run.");
        }

        await HandleAsync(http);
        if (store is IBackgroundDoneMarks marks && marks.TryMarkDone(key, s_window, MarkFailures.Instance))
        {
            return;
        }

        var done = store.CompleteAsync(key, n, succeeded: true, s_window, CancellationToken.None);
        if (!done.IsCompletedSuccessfully)
        {
            _ = ReportFailureAsync(done, key);
        }
    }

    private sealed class MarkFailures : IDoneMarkFailures
    {
        public static readonly MarkFailures Instance = new();

        public void DoneMarkFailed(string key, Exception error) =>
            Console.Error.WriteLine($"bare-redis: the done mark of {key} failed: {error.Message}");
    }

    private static async Task ReportFailureAsync(ValueTask done, string key)
    {
        try
        {
            await done;
        }
        catch (Exception ex)
        {
            MarkFailures.Instance.DoneMarkFailed(key, ex);
        }
    }

    /// <summary>Reads the whole body, as any endpoint must before it can answer, and answers "success".</summary>
    public static async Task HandleAsync(HttpContext http)
    {
        var reader = http.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(http.RequestAborted);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        http.Response.ContentType = "text/plain";
        http.Response.ContentLength = s_success.Length;
        await http.Response.Body.WriteAsync(s_success, http.RequestAborted);
    }
}

/// <summary>The handler of the "ours" target: it reads what a real one reads and does no I/O.</summary>
public static class LoadHandlers
{
    private static long s_handled;
    private static long s_seen;

    public static long Handled => Interlocked.Read(ref s_handled);

    public static long Seen => Interlocked.Read(ref s_seen);

    [OnText]
    public static void Text(TextMessage message)
    {
        Interlocked.Increment(ref s_handled);
        Interlocked.Add(ref s_seen, message.FromUserName.Length + message.Content.Length);
    }
}

internal static class Requests
{
    private const string Timestamp = "1714037059";
    private const string Nonce = "486452656";

    public static void Write(string directory, int count, string token, string aesKey, string appId)
    {
        Directory.CreateDirectory(directory);
        using var crypto = new WeChatCrypto(token, aesKey, appId);
        string plainQuery = $"/wechat?signature={WeChatSignature.ComputeSignature(token, Timestamp, Nonce)}&timestamp={Timestamp}&nonce={Nonce}";
        foreach (var (format, template) in new[] { ("xml", SeedPackets.TextXml), ("json", SeedPackets.TextJson) })
        {
            using (var plain = new StreamWriter(Path.Combine(directory, $"{format}-plain.txt"), false, new UTF8Encoding(false)))
            {
                plain.Write(plainQuery);
                plain.Write('\t');
                plain.Write(template);
                plain.Write('\n');
            }

            using var aes = new StreamWriter(Path.Combine(directory, $"{format}-aes.txt"), false, new UTF8Encoding(false));
            for (int i = 0; i < count; i++)
            {
                // A distinct MsgId per request, so the endpoint's dedupe lets every request run the handler.
                string message = template.Replace("1234567890123456", (1234567890000000L + i).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

                byte[] utf8 = Encoding.UTF8.GetBytes(message);
                byte[] encrypted = new byte[crypto.GetEncryptedLength(utf8.Length)];
                string encrypt = Encoding.ASCII.GetString(encrypted, 0, crypto.Encrypt(utf8, encrypted));
                string signature = WeChatSignature.ComputeMsgSignature(token, Timestamp, Nonce, encrypt);
                string envelope = format == "xml"
                    ? $"<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
                    : $$"""{"ToUserName":"toUser","Encrypt":"{{encrypt}}"}""";
                aes.Write($"/wechat?signature={WeChatSignature.ComputeSignature(token, Timestamp, Nonce)}&timestamp={Timestamp}&nonce={Nonce}&encrypt_type=aes&msg_signature={signature}");
                aes.Write('\t');
                aes.Write(envelope);
                aes.Write('\n');
            }
        }
    }
}
