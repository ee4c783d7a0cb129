using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WeChatHandlers.Security;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.AspNetCore.Tests;

public class DedupeKeyTests
{
    private static string Demo(string debugStr, string from = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY") =>
        $$"""{"ToUserName":"gh_97417a04a28d","FromUserName":"{{from}}","CreateTime":1714037059,"MsgType":"event","Event":"debug_demo","debug_str":"{{debugStr}}"}""";

    [Fact]
    public async Task Two_distinct_events_of_one_sender_in_one_second_both_run_and_an_identical_retry_does_not()
    {
        await using var app = await TestApp.StartAsync();
        using var duplicates = app.Counter("wechat.messages.duplicates");
        Assert.Equal("success", await (await app.PostPlainAsync(Demo("first"))).Content.ReadAsStringAsync());
        Assert.Equal("success", await (await app.PostPlainAsync(Demo("second"))).Content.ReadAsStringAsync());
        Assert.Equal("success", await (await app.PostPlainAsync(Demo("first"))).Content.ReadAsStringAsync());
        Assert.Equal(["first", "second"], app.Probe.Calls.Where(c => c.Handler == "Debug").Select(c => c.Detail));
        Assert.Equal(1, duplicates.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Retries_re_encrypted_or_in_plaintext_are_the_same_message(bool json)
    {
        await using var app = await TestApp.StartAsync();
        string plaintext = json
            ? Demo("once")
            : "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><FromUserName><![CDATA[u]]></FromUserName><CreateTime>1714037059</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[debug_demo]]></Event><debug_str><![CDATA[once]]></debug_str></xml>";

        // Each encryption draws a new random prefix: three different ciphertexts of one message.
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal("success", await (await app.PostEncryptedAsync(plaintext, json)).Content.ReadAsStringAsync());
        }

        Assert.Equal("success", await (await app.PostPlainAsync(plaintext)).Content.ReadAsStringAsync());
        Assert.Equal(("Debug", "once"), Assert.Single(app.Probe.Calls));
    }

    [Fact]
    public void The_whole_message_key_ignores_surrounding_whitespace_and_carries_no_payload_value()
    {
        string key = DedupeKeys.ForWholeMessage("wx1", Encoding.UTF8.GetBytes(Demo("a")));
        Assert.Equal(key, DedupeKeys.ForWholeMessage("wx1", Encoding.UTF8.GetBytes("\uFEFF \n" + Demo("a") + "\r\n")));
        Assert.NotEqual(key, DedupeKeys.ForWholeMessage("wx1", Encoding.UTF8.GetBytes(Demo("b"))));
        Assert.NotEqual(key, DedupeKeys.ForWholeMessage("wx2", Encoding.UTF8.GetBytes(Demo("a"))));
        Assert.StartsWith("wx1|h|", key, StringComparison.Ordinal);
        Assert.DoesNotContain("o9AgO5Kd5ggOC", key, StringComparison.Ordinal);
    }
}

public class MemoryStoreTests
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(5);

    [Fact]
    public void Past_its_capacity_each_push_costs_the_same_bounded_work_and_allocates_nothing()
    {
        const int capacity = 10_000;
        var store = new MemoryWeChatDedupeStore(new FakeTimeProvider(), capacity);
        var keys = Enumerable.Range(0, capacity * 5).Select(i => "wx|m|" + i).ToArray();

        // Below capacity.
        long before = store.Steps;
        long probesBefore = store.Probes;
        Push(store, keys.AsSpan(0, capacity));
        double belowCapacity = (store.Steps - before) / (double)capacity;
        double probesBelowCapacity = (store.Probes - probesBefore) / (double)capacity;

        // Four times past capacity: every push evicts the oldest done key.
        Push(store, keys.AsSpan(capacity, capacity));
        before = store.Steps;
        probesBefore = store.Probes;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Push(store, keys.AsSpan(2 * capacity, 3 * capacity));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        double pastCapacity = (store.Steps - before) / (3.0 * capacity);
        double probesPastCapacity = (store.Probes - probesBefore) / (3.0 * capacity);

        Assert.InRange(belowCapacity, 2, 3);
        Assert.InRange(pastCapacity, 2, 4);

        // The index's probe runs stay short however long the store churns at capacity (no tombstones pile up).
        Assert.InRange(probesBelowCapacity, 0, 4);
        Assert.InRange(probesPastCapacity, 0, 4);
        Assert.Equal(0, allocated);
        Assert.Equal(capacity, store.Count);
        Assert.Equal(4 * capacity, store.EvictedBeforeExpiry);

        // The newest keys, all of them, are still remembered.
        foreach (string key in keys.AsSpan(4 * capacity, capacity))
        {
            Assert.Equal(WeChatDedupeDecision.Done, Now(store.TryBeginAsync(key, 2, s_lease, default)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Under_random_churn_the_store_remembers_exactly_the_newest_done_keys(int seed)
    {
        // The model: done keys in completion order; a claim in a full store evicts the oldest. A small
        // capacity and a small key space make every index path run thousands of times: probe runs that wrap around the
        // table, entries moved back over a removed one, a key removed and added again.
        const int capacity = 300;
        var random = new Random(seed);
        var store = new MemoryWeChatDedupeStore(new FakeTimeProvider(), capacity);
        var done = new LinkedList<string>();
        var position = new Dictionary<string, LinkedListNode<string>>();
        for (int step = 0; step < 40_000; step++)
        {
            string key = "k" + random.Next(1_000);
            var decision = Now(store.TryBeginAsync(key, step, s_lease, default));
            Assert.Equal(position.ContainsKey(key) ? WeChatDedupeDecision.Done : WeChatDedupeDecision.Run, decision);
            if (decision != WeChatDedupeDecision.Run)
            {
                continue;
            }

            // The claim made room for its lease in a full store: the oldest done key went.
            if (done.Count == capacity)
            {
                position.Remove(done.First!.Value);
                done.RemoveFirst();
            }

            // Most runs succeed; some fail, which forgets the key so a retry runs again.
            bool succeeded = random.Next(4) != 0;
            _ = store.CompleteAsync(key, step, succeeded, s_window, default);
            if (succeeded)
            {
                position[key] = done.AddLast(key);
            }

            Assert.Equal(done.Count, store.Count);
        }

        foreach (string key in done)
        {
            Assert.Equal(WeChatDedupeDecision.Done, Now(store.TryBeginAsync(key, -1, s_lease, default)));
        }
    }

    [Theory]
    [InlineData(1, 300)]
    [InlineData(2, 300)]
    [InlineData(3, 3_000)]
    public void Under_random_churn_as_time_passes_done_keys_expire_and_are_taken_over(int seed, int capacity)
    {
        // The model, with time: each call first drops up to two expired done keys from the oldest end; a done key past
        // its window is claimed again (taken over); a claim in a full store evicts the oldest. The larger capacity makes
        // the index grow from its minimum size while keys churn.
        // A window of about 1.5 capacities' worth of completions, so the store fills up.
        var window = TimeSpan.FromMilliseconds(2 * capacity);
        var time = new FakeTimeProvider();
        var random = new Random(seed);
        var store = new MemoryWeChatDedupeStore(time, capacity);
        long ticks = (long)(window.TotalSeconds * time.TimestampFrequency);
        var done = new LinkedList<(string Key, long ExpiresAt)>();
        var position = new Dictionary<string, LinkedListNode<(string Key, long ExpiresAt)>>();
        int takenOver = 0;
        for (int step = 0; step < 40_000; step++)
        {
            // Now and then a jump: many keys expire at once, more than the two per call dropped, and some are claimed again first.
            time.Advance(random.Next(500) == 0 ? window / 2 : TimeSpan.FromMilliseconds(random.Next(3)));
            long now = time.GetTimestamp();
            for (int n = 0; n < 2 && done.First is { } oldest && oldest.Value.ExpiresAt <= now; n++)
            {
                position.Remove(oldest.Value.Key);
                done.RemoveFirst();
            }

            string key = "k" + random.Next(3 * capacity);
            var expected = WeChatDedupeDecision.Run;
            if (position.Remove(key, out var node))
            {
                if (node.Value.ExpiresAt > now)
                {
                    expected = WeChatDedupeDecision.Done;
                    position[key] = node;
                }
                else
                {
                    done.Remove(node);
                    takenOver++;
                }
            }
            else if (done.Count == capacity)
            {
                position.Remove(done.First!.Value.Key);
                done.RemoveFirst();
            }

            Assert.Equal(expected, Now(store.TryBeginAsync(key, step, s_lease, default)));
            if (expected != WeChatDedupeDecision.Run)
            {
                continue;
            }

            bool succeeded = random.Next(4) != 0;
            _ = store.CompleteAsync(key, step, succeeded, window, default);
            if (succeeded)
            {
                position[key] = done.AddLast((key, now + ticks));
            }

            Assert.Equal(done.Count, store.Count);
        }

        // Every path ran: expiry at the oldest end, take-overs of expired keys, and a full store.
        Assert.True(takenOver > 100, $"only {takenOver} take-overs");
        foreach (var (key, expiresAt) in done)
        {
            Assert.Equal(expiresAt > time.GetTimestamp() ? WeChatDedupeDecision.Done : WeChatDedupeDecision.Run, Now(store.TryBeginAsync(key, -1, s_lease, default)));
        }
    }

    [Fact]
    public void A_callers_older_reading_of_the_clock_never_moves_the_store_back_in_time()
    {
        // The endpoint passes its own readings; two pushes may enter the store in the other order than they read the clock.
        var time = new FakeTimeProvider();
        var store = new MemoryWeChatDedupeStore(time);
        long start = time.GetTimestamp();
        long second = time.TimestampFrequency;
        Assert.Equal(WeChatDedupeDecision.Run, store.TryBegin("k", 1, s_lease, start));
        store.Complete("other", 2, succeeded: true, s_window, start + (4 * second));

        // Read before "other" completed (1 s), but the store is at 4 s: k's 3 s lease has run out and is taken over.
        Assert.Equal(WeChatDedupeDecision.Run, store.TryBegin("k", 3, s_lease, start + second));
        store.Complete("k", 3, succeeded: true, s_window, start + second);
        Assert.Equal(WeChatDedupeDecision.Done, store.TryBegin("k", 4, s_lease, start + (5 * second)));
    }

    [Fact]
    public void A_live_lease_is_never_evicted_a_full_store_of_them_refuses_instead()
    {
        var store = new MemoryWeChatDedupeStore(new FakeTimeProvider(), capacity: 2);
        Assert.Equal(WeChatDedupeDecision.Run, Now(store.TryBeginAsync("a", 1, s_lease, default)));
        Assert.Equal(WeChatDedupeDecision.Run, Now(store.TryBeginAsync("b", 2, s_lease, default)));
        Assert.Throws<WeChatDedupeStoreException>(() => Now(store.TryBeginAsync("c", 3, s_lease, default)));
        Assert.Equal(WeChatDedupeDecision.InFlight, Now(store.TryBeginAsync("a", 4, s_lease, default)));

        // A done key makes room.
        Assert.True(store.CompleteAsync("a", 1, succeeded: true, s_window, default).IsCompletedSuccessfully);
        Assert.Equal(WeChatDedupeDecision.Run, Now(store.TryBeginAsync("c", 3, s_lease, default)));
        Assert.Equal(WeChatDedupeDecision.InFlight, Now(store.TryBeginAsync("b", 5, s_lease, default)));
    }

    [Fact]
    public void A_renewed_lease_holds_and_one_left_to_run_out_is_taken_over()
    {
        var time = new FakeTimeProvider();
        var store = new MemoryWeChatDedupeStore(time);
        Assert.Equal(WeChatDedupeDecision.Run, Now(store.TryBeginAsync("k", 1, s_lease, default)));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(Now(store.RenewAsync("k", 1, s_lease, default)));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(WeChatDedupeDecision.InFlight, Now(store.TryBeginAsync("k", 2, s_lease, default)));

        // The owner stops renewing (it died): once its lease has run out, the next delivery owns the message.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(WeChatDedupeDecision.Run, Now(store.TryBeginAsync("k", 2, s_lease, default)));
        Assert.False(Now(store.RenewAsync("k", 1, s_lease, default)));

        // The old owner's failure cannot release its successor's lease.
        _ = store.CompleteAsync("k", 1, succeeded: false, s_window, default);
        Assert.Equal(WeChatDedupeDecision.InFlight, Now(store.TryBeginAsync("k", 3, s_lease, default)));
        _ = store.CompleteAsync("k", 2, succeeded: true, s_window, default);
        Assert.Equal(WeChatDedupeDecision.Done, Now(store.TryBeginAsync("k", 3, s_lease, default)));
    }

    [Fact]
    public async Task A_waiting_retry_takes_the_message_over_when_the_owner_stops_renewing()
    {
        var time = new FakeTimeProvider();
        var store = new MemoryWeChatDedupeStore(time);
        Assert.Equal(WeChatDedupeDecision.Run, await store.TryBeginAsync("k", 1, s_lease, default));
        var waiting = store.WaitAsync("k", 2, s_lease, TimeSpan.FromSeconds(4), default).AsTask();
        await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => waiting.IsCompleted, "the take-over");

        Assert.Equal(WeChatDedupeDecision.Run, await waiting);
    }

    [Fact]
    public async Task A_waiting_retry_sees_a_live_run_finish()
    {
        var time = new FakeTimeProvider();
        var store = new MemoryWeChatDedupeStore(time);
        Assert.Equal(WeChatDedupeDecision.Run, await store.TryBeginAsync("k", 1, s_lease, default));
        var waiting = store.WaitAsync("k", 2, s_lease, TimeSpan.FromSeconds(4), default).AsTask();
        Assert.False(waiting.IsCompleted);
        await store.CompleteAsync("k", 1, succeeded: true, s_window, default);
        Assert.Equal(WeChatDedupeDecision.Done, await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>The result of a call the memory store must complete synchronously.</summary>
    private static T Now<T>(ValueTask<T> call)
    {
        Assert.True(call.IsCompletedSuccessfully, "the memory store completes synchronously");
        return call.Result;
    }

    private static void Push(MemoryWeChatDedupeStore store, ReadOnlySpan<string> keys)
    {
        foreach (string key in keys)
        {
            if (Now(store.TryBeginAsync(key, 1, s_lease, default)) != WeChatDedupeDecision.Run)
            {
                throw new InvalidOperationException("a fresh key was not claimed");
            }

            if (!store.CompleteAsync(key, 1, succeeded: true, s_window, default).IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("the memory store completes synchronously");
            }
        }
    }
}

public class DeadlineAndFailureTests
{
    [Fact]
    public async Task A_handler_that_blocks_its_thread_is_answered_at_the_deadline_and_counted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(time));
        using var overruns = app.Counter("wechat.handlers.deadline_overruns");
        var request = app.PostPlainAsync(TestApp.TextXml("block", 21));
        await app.Probe.Started("Block.start").Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => request.IsCompleted, "the deadline answer");

        var response = await request.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, app.Probe.Count("Block.end"));
        Assert.Equal(1, overruns.GetMeasurementSnapshot().Sum(m => m.Value));

        app.Probe.Gate.Release();
        await app.Probe.Started("Block.end").Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A store whose calls never finish: Redis gone without closing its sockets.</summary>
    private sealed class HangingStore(TimeProvider time) : IWeChatDedupeStore
    {
        private readonly TaskCompletionSource<WeChatDedupeDecision> _never = new();

        /// <summary>The time of the first claim, once the endpoint has asked.</summary>
        public TaskCompletionSource<long> Claimed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
        {
            Claimed.TrySetResult(time.GetTimestamp());
            return new(_never.Task);
        }

        public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken) => new(false);

        public ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken) => new(_never.Task);

        public ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken) => new(_never.Task);
    }

    [Fact]
    public async Task A_default_store_full_of_live_leases_refuses_a_new_push_with_503_and_runs_nothing()
    {
        await using var app = await TestApp.StartAsync(o => o.DedupeCapacity = 1);
        using var rejected = app.Counter("wechat.requests.rejected");
        var first = app.PostPlainAsync(TestApp.TextXml("slow", 41));
        await app.Probe.Started("Slow.start").Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The one key the store may hold is a live lease: it is never evicted, so the next message cannot be claimed.
        var refused = await app.PostPlainAsync(TestApp.TextXml("hello", 42));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("dedupe_store_unavailable", await refused.Content.ReadAsStringAsync());
        Assert.Equal("dedupe_store_unavailable", Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]);
        Assert.Equal(0, app.Probe.Count("Hello"));

        app.Probe.Gate.Release();
        Assert.Equal("success", await (await first).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_store_that_hangs_costs_a_push_its_store_timeout_then_503_one_line_and_one_metric()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new HangingStore(time);
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(time).AddSingleton<IWeChatDedupeStore>(store));
        using var rejected = app.Counter("wechat.requests.rejected");
        var request = app.PostPlainAsync(TestApp.TextXml("hello", 31));

        // Time moves only once the endpoint has asked the store. Short of DedupeStoreTimeout (1 s) nothing is answered;
        // at it plus the coarse timeouts' tenth of a second the refusal comes with no more time passing (within the
        // 1.5 s WeChat is promised), however long the machine takes to deliver it.
        await store.Claimed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(0.95));
        await Task.Delay(100);
        Assert.False(request.IsCompleted, "refused before the store timeout");
        time.Advance(TimeSpan.FromSeconds(0.15));

        var response = await request.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("dedupe_store_unavailable", await response.Content.ReadAsStringAsync());
        Assert.Equal("dedupe_store_unavailable", Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]);
        var line = Assert.Single(app.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning && r.Category!.StartsWith("WeChatHandlers", StringComparison.Ordinal));
        Assert.Contains("dedupe store failed", line.Message, StringComparison.Ordinal);
        Assert.Null(line.Exception);
        Assert.Empty(app.Probe.Calls);
    }

    /// <summary>A request body that fails as Kestrel's do: a slow client (408), a reset connection.</summary>
    private sealed class FailingBody(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData("timeout", 408, "body_read_timeout")]
    [InlineData("reset", 400, "client_disconnected")]
    [InlineData("bad", 400, "body_read_failed")]
    public async Task Body_read_failures_take_the_refusal_path(string kind, int status, string reason)
    {
        await using var app = await TestApp.StartAsync();
        using var rejected = app.Counter("wechat.requests.rejected");
        Exception failure = kind switch
        {
            "timeout" => new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly.", StatusCodes.Status408RequestTimeout),
            "reset" => new Microsoft.AspNetCore.Connections.ConnectionResetException("The client reset the request stream."),
            _ => new BadHttpRequestException("Bad chunk size data.", StatusCodes.Status400BadRequest),
        };
        string timestamp = "1714037059", nonce = "55";
        var http = new DefaultHttpContext { RequestServices = app.Services };
        http.Request.Method = HttpMethods.Post;
        http.Request.QueryString = new QueryString($"?signature={WeChatSignature.ComputeSignature(TestApp.Token, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}");
        http.Request.Body = new FailingBody(failure);
        http.Response.Body = new MemoryStream();

        await app.Services.GetRequiredService<WeChatCallbackEndpoint>().HandleAsync(http);

        Assert.Equal(status, http.Response.StatusCode);
        Assert.Equal(reason, Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Message.Contains("rejected: " + reason, StringComparison.Ordinal));
        Assert.Empty(app.Probe.Calls);
    }

    [Fact]
    public async Task A_receive_only_configuration_with_just_a_token_starts_and_handles_pushes()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.EncodingAESKey = null;
            o.AppId = null;
            o.OriginalId = null;
        });
        var response = await app.PostPlainAsync(TestApp.TextXml("hello", 41));
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Equal("Hello", Assert.Single(app.Probe.Calls).Handler);
    }
}

public class LogHygieneTests
{
    [Fact]
    public async Task No_payload_value_reaches_a_log_line_at_information_and_every_line_is_bounded_and_clean()
    {
        await using var app = await TestApp.StartAsync();
        string openId = "oSECRET" + new string('x', 60_000);
        string hostile = openId + "\\u001b[31m\\r\\nFAKE LOG LINE";
        string unhandled = $$"""{"ToUserName":"gh_97417a04a28d","FromUserName":"{{hostile}}","CreateTime":1714037059,"MsgType":"event","Event":"something_new","note":"PRIVATE-CONTENT"}""";
        await app.PostPlainAsync(unhandled);
        await app.PostPlainAsync(unhandled);
        await app.PostPlainAsync($$"""{"ToUserName":"gh_97417a04a28d","FromUserName":"{{hostile}}","CreateTime":1,"MsgType":"text","Content":"boom","MsgId":77}""");
        await app.PostPlainAsync("<xml><FromUserName>PRIVATE-CONTENT\u0007</FromUserName>");

        var lines = app.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Information && r.Category!.StartsWith("WeChatHandlers", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, r =>
        {
            Assert.DoesNotContain("oSECRET", r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE-CONTENT", r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("FAKE LOG LINE", r.Message, StringComparison.Ordinal);
            Assert.True(r.Message.Length < 1000, $"a log line of {r.Message.Length} characters");
            Assert.DoesNotContain(r.Message, c => char.IsControl(c));
        });
    }

    [Fact]
    public async Task A_handler_exception_is_logged_with_its_type_and_stack_but_its_message_cleaned()
    {
        await using var app = await TestApp.StartAsync();
        string hostile = "parse 12\\u001b[2J\\u0007" + new string('x', 3000) + "\\nFAKE LOG LINE";
        await app.PostPlainAsync($$"""{"ToUserName":"gh_97417a04a28d","FromUserName":"o1","CreateTime":1,"MsgType":"text","Content":"{{hostile}}","MsgId":78}""");

        Assert.Equal("Parse", Assert.Single(app.Probe.Calls).Handler);
        var failure = Assert.Single(app.Logs.GetSnapshot(), r => r.Exception is not null && r.Message.Contains("TestHandlers.Parse", StringComparison.Ordinal));
        string logged = failure.Exception!.ToString();
        Assert.StartsWith("System.FormatException: ", logged, StringComparison.Ordinal);
        Assert.Contains("TestHandlers.Parse", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(logged, c => char.IsControl(c) && c is not ('\n' or '\r'));
        Assert.DoesNotContain(logged.Split('\n'), line => line.TrimStart().StartsWith("FAKE LOG LINE", StringComparison.Ordinal));
        Assert.True(failure.Exception.Message.Length < LoggedException.MaxMessageLength + 30, $"a message of {failure.Exception.Message.Length} characters");

        // An exception with a clean message is logged as it is: log sinks group failures by the handler's own type.
        await app.PostPlainAsync(TestApp.TextXml("boom", 79));
        Assert.Single(app.Logs.GetSnapshot(), r => r.Exception is InvalidOperationException { Message: "handler failure for the test" });
    }

    [Fact]
    public void An_aggregate_is_logged_with_every_inner_exception_cleaned()
    {
        Exception Thrown(Exception e)
        {
            try
            {
                throw e;
            }
            catch (Exception caught)
            {
                return caught;
            }
        }

        var aggregate = Thrown(new AggregateException(Thrown(new FormatException("first\u001b[2J")), Thrown(new InvalidOperationException("second\nFAKE"))));

        var logged = LoggedException.For(aggregate);
        string text = logged.ToString();

        Assert.IsType<LoggedException>(logged);
        Assert.StartsWith("System.AggregateException: ", text, StringComparison.Ordinal);
        Assert.Contains("System.FormatException: first?[2J", text, StringComparison.Ordinal);
        Assert.Contains("(Inner Exception #1) System.InvalidOperationException: second?FAKE", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text, c => char.IsControl(c) && c is not ('\n' or '\r'));

        var clean = new InvalidOperationException("clean");
        Assert.Same(clean, LoggedException.For(clean));
    }

    [Fact]
    public void Logged_values_are_bounded_and_stripped_of_control_characters()
    {
        Assert.Equal("abc", LogValue.Clean("abc"));
        Assert.Equal("a?b?c?", LogValue.Clean("a\u001bb\nc\u2028"));
        string cut = LogValue.Clean(new string('y', 10_000));
        Assert.True(cut.Length < LogValue.MaxLength + 30);
        Assert.StartsWith(new string('y', LogValue.MaxLength), cut, StringComparison.Ordinal);
        Assert.Contains("(+" + (10_000 - LogValue.MaxLength) + ")", cut, StringComparison.Ordinal);
    }
}

public class ConnectionFailureTests
{
    [Fact]
    public async Task A_client_that_drops_the_connection_mid_body_is_a_refusal_not_an_unhandled_exception()
    {
        await using var app = await TestApp.StartAsync();
        using var rejected = app.Counter("wechat.requests.rejected");
        string timestamp = "1714037059", nonce = "66";
        string signature = WeChatSignature.ComputeSignature(TestApp.Token, timestamp, nonce);
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(app.Client.BaseAddress!.Host, app.Client.BaseAddress.Port);
            var stream = client.GetStream();
            string head = $"POST /wechat?signature={signature}&timestamp={timestamp}&nonce={nonce} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<xml><ToUserName>";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.FlushAsync();

            // Reset, not close: the server's body read fails mid-way.
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }

        for (int i = 0; i < 600 && rejected.GetMeasurementSnapshot().Count == 0; i++)
        {
            await Task.Delay(50);
        }

        string reason = (string)Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]!;
        Assert.Contains(reason, new[] { "client_disconnected", "body_read_failed" });
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Level >= LogLevel.Error);
        Assert.Empty(app.Probe.Calls);
    }
}

public class LeaseTests
{
    [Fact]
    public async Task A_retry_that_finds_a_live_run_renewing_its_lease_never_starts_a_second_run()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(time));
        var first = app.PostPlainAsync(TestApp.TextXml("slow", 81));
        await app.Probe.Started("Slow.start").Task.WaitAsync(TimeSpan.FromSeconds(30));
        var retry = app.PostPlainAsync(TestApp.TextXml("slow", 81));

        // Past several leases: the running handler keeps renewing, so the waiting retry never takes the message over.
        await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => first.IsCompleted && retry.IsCompleted, "both answers");

        Assert.Equal("success", await (await first.WaitAsync(TimeSpan.FromSeconds(30))).Content.ReadAsStringAsync());
        Assert.Equal("success", await (await retry.WaitAsync(TimeSpan.FromSeconds(30))).Content.ReadAsStringAsync());
        Assert.Equal(1, app.Probe.Count("Slow.start"));

        app.Probe.Gate.Release();
        await app.Probe.Started("Slow.end").Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, app.Probe.Count("Slow.start"));
    }
}

public class TypedPayloadEndpointTests
{
    private static string MediaCheck(string version, string traceId = "trace-1") =>
        $$"""{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714037059,"MsgType":"event","Event":"wxa_media_check","appid":"wx1","trace_id":"{{traceId}}","version":{{version}},"result":{"suggest":"risky","label":"20001"},"detail":[{"strategy":"content_model","errcode":0,"suggest":"risky","label":20001,"prob":90}]}""";

    [Fact]
    public async Task A_typed_event_binds_its_nested_fields_over_http()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostPlainAsync(MediaCheck("2"), contentType: "application/json");
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Equal(("MediaCheck", "trace-1|2|risky|1"), Assert.Single(app.Probe.Calls));
    }

    [Theory]
    [InlineData("\"two\"")]
    [InlineData("2.5")]
    public async Task A_value_the_handlers_type_cannot_hold_is_a_400_and_no_handler_runs(string version)
    {
        await using var app = await TestApp.StartAsync();
        using var rejected = app.Counter("wechat.requests.rejected");
        var response = await app.PostPlainAsync(MediaCheck(version, "trace-bad"), contentType: "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("malformed_payload", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Probe.Calls);
        Assert.Equal(1, rejected.GetMeasurementSnapshot().Where(m => (string?)m.Tags["reason"] == "malformed_payload").Sum(m => m.Value));

        // Nothing ran, so nothing is remembered: WeChat's retry is refused the same way, never acknowledged.
        var retry = await app.PostPlainAsync(MediaCheck(version, "trace-bad"), contentType: "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
        Assert.Empty(app.Probe.Calls);
    }
}

public class StartupChecksTests
{
    private static WebApplicationBuilder Builder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddWeChatCallback(o => o.Token = TestApp.Token);
        return builder;
    }

    [Fact]
    public async Task Forgetting_AddWeChatHandlers_fails_the_start_and_says_so_by_name()
    {
        await using var app = Builder().Build();
        var e = Assert.Throws<InvalidOperationException>(() => app.MapWeChatCallback("/wechat"));
        Assert.Contains("AddWeChatHandlers()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_a_handler_takes_that_nobody_registered_fails_the_start_naming_both()
    {
        var builder = Builder();
        builder.Services.AddWeChatHandlers(); // the test handlers take a Probe, which is not registered here
        await using var app = builder.Build();
        var e = Assert.Throws<InvalidOperationException>(() => app.MapWeChatCallback("/wechat"));
        Assert.Contains("TestHandlers.Hello needs WeChatHandlers.AspNetCore.Tests.Probe", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_every_service_registered_the_endpoint_maps()
    {
        var builder = Builder();
        builder.Services.AddSingleton<Probe>();
        builder.Services.AddScoped<PerMessage>();
        builder.Services.AddWeChatHandlers();
        await using var app = builder.Build();
        Assert.NotNull(app.MapWeChatCallback("/wechat"));
        Assert.Contains(app.Services.GetServices<WeChatHandlerServices>().SelectMany(s => s.Requirements), r => r.Handler == "TestHandlers.Hello" && r.Service == typeof(Probe));
    }
}
