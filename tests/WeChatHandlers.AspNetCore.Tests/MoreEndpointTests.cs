using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WeChatHandlers.Api;
using WeChatHandlers.Security;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.AspNetCore.Tests;

public class CompatibilityAndRoutingTests
{
    [Fact]
    public async Task Compatibility_mode_trusts_the_decrypted_copy_not_the_plaintext_fields()
    {
        await using var app = await TestApp.StartAsync();
        string timestamp = "1714112445", nonce = "99";
        string encrypt = app.Crypto.Encrypt(Encoding.UTF8.GetBytes(TestApp.TextXml("hello", 77)));
        string msgSignature = WeChatSignature.ComputeMsgSignature(TestApp.Token, timestamp, nonce, encrypt);
        // The plaintext copy says something else; it is covered by no signature, so it must be ignored.
        string body = $"<xml><ToUserName><![CDATA[{TestApp.OriginalId}]]></ToUserName><FromUserName><![CDATA[attacker]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[transfer]]></Content><MsgId>1</MsgId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";
        var response = await app.PostRawAsync($"/wechat?signature=x&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={msgSignature}", body);
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        var call = Assert.Single(app.Probe.Calls);
        Assert.Equal("Hello", call.Handler);
        Assert.StartsWith("hello|o9AgO5Kd5ggOC-bXrbNODIiE3bGY|", call.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_route_value_the_push_ToUserName_selects_the_account()
    {
        await using var app = await TestApp.StartAsync(o => o.Accounts.Add(
            new WeChatCallbackAccountOptions { AppId = "wxsecond", Token = "second-token", OriginalId = "gh_second" }));
        string timestamp = "5", nonce = "6";
        string second = WeChatSignature.ComputeSignature("second-token", timestamp, nonce);
        string body = TestApp.TextXml("hello").Replace(TestApp.OriginalId, "gh_second", StringComparison.Ordinal);
        var ok = await app.PostRawAsync($"/wechat?signature={second}&timestamp={timestamp}&nonce={nonce}", body);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.EndsWith("|wxsecond", Assert.Single(app.Probe.Calls).Detail, StringComparison.Ordinal);

        // The first account's token does not sign for the second account.
        string first = WeChatSignature.ComputeSignature(TestApp.Token, timestamp, nonce);
        var refused = await app.PostRawAsync($"/wechat?signature={first}&timestamp={timestamp}&nonce={nonce}", body.Replace("1234567890123456", "5", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var nobody = await app.PostRawAsync($"/wechat?signature={first}&timestamp={timestamp}&nonce={nonce}", body.Replace("gh_second", "gh_nobody", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
    }
}

public class LifecycleTests
{
    [Fact]
    public async Task Each_message_gets_its_own_scope_disposed_before_it_is_answered()
    {
        await using var app = await TestApp.StartAsync();
        Assert.Equal("success", await (await app.PostPlainAsync(TestApp.TextXml("scoped", 71))).Content.ReadAsStringAsync());
        Assert.Equal("success", await (await app.PostPlainAsync(TestApp.TextXml("scoped", 72))).Content.ReadAsStringAsync());

        var calls = app.Probe.Calls;
        Assert.Equal(4, calls.Count);
        Assert.Equal("Scoped", calls[0].Handler);
        Assert.Equal(("PerMessage.disposed", calls[0].Detail), calls[1]);
        Assert.Equal("Scoped", calls[2].Handler);
        Assert.Equal(("PerMessage.disposed", calls[2].Detail), calls[3]);
        Assert.NotEqual(calls[0].Detail, calls[2].Detail);
    }

    [Fact]
    public async Task A_pattern_that_backtracks_forever_times_out_and_runs_nothing()
    {
        await using var app = await TestApp.StartAsync();
        using var failed = app.Counter("wechat.handlers.failed");
        var response = await app.PostPlainAsync(TestApp.TextXml(new string('a', 64) + "!", 61));
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Probe.Calls);
        Assert.Equal(1, failed.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Exception is System.Text.RegularExpressions.RegexMatchTimeoutException);

        // A matching text still routes through the same pattern.
        await app.PostPlainAsync(TestApp.TextXml("aaaa", 62));
        Assert.Equal(("OnlyAs", "aaaa"), Assert.Single(app.Probe.Calls));
    }

    [Fact]
    public async Task Shutdown_drains_messages_acknowledged_first()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostPlainAsync(TestApp.TextXml("later", 31));
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        await app.Probe.Started("Later.start").Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = app.StopAsync();
        // The host cannot finish stopping while an accepted handler is held: it drains the queue.
        await Task.WhenAny(stopping, Task.Delay(300));
        Assert.False(stopping.IsCompleted);
        app.Probe.Gate.Release();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, app.Probe.Count("Later.end"));
    }

    [Fact]
    public async Task Each_message_gets_a_span_with_its_handler()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WeChatCallbackMetrics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync();
        await app.PostPlainAsync(TestApp.TextXml("hello", 41));

        // The span ends when the request's work does, which may be a moment after the answer reached the client.
        bool Ours(Activity s) => (string?)s.GetTagItem("wechat.key") == "wxba5fad812f8e6fb9|m|41";
        await Eventually.HoldsAsync(() => { lock (spans) { return spans.Any(Ours); } }, "the message's span ended");
        Activity span;
        lock (spans)
        {
            span = Assert.Single(spans, Ours);
        }

        Assert.Equal("wechat.message", span.OperationName);
        Assert.Equal("text", span.GetTagItem("wechat.msg_type"));
        Assert.Equal("TestHandlers.Hello", span.GetTagItem("wechat.handler"));
    }

    [Fact]
    public async Task Pushes_open_the_api_clients_send_windows()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddWeChatApi(o =>
        {
            o.AppId = TestApp.AppId;
            o.AppSecret = "secret";
            o.ApiBaseAddress = "http://127.0.0.1:9";
        }));
        var tracker = app.Services.GetRequiredService<ICustomerServiceWindowTracker>();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string enter = $$"""{"ToUserName":"gh_97417a04a28d","FromUserName":"window-user","CreateTime":{{now}},"MsgType":"event","Event":"user_enter_tempsession","SessionFrom":"s"}""";
        await app.PostPlainAsync(enter);
        var afterEnter = tracker.GetWindow(TestApp.AppId, "window-user");
        Assert.NotNull(afterEnter);
        Assert.Equal(2, afterEnter.Value.Remaining);

        await app.PostPlainAsync(TestApp.TextJson("hello", 51, from: "window-user").Replace("1714112445", now.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var afterMessage = tracker.GetWindow(TestApp.AppId, "window-user");
        Assert.Equal(5, afterMessage!.Value.Remaining);
    }
}

public class StoreFailureTests
{
    /// <summary>Claims work, recording outcomes fails: as a Redis store does when the server goes away mid-run.</summary>
    private sealed class BrokenCompletionStore : IWeChatDedupeStore
    {
        public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken) => new(WeChatDedupeDecision.Run);

        public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken) => new(true);

        public ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("store unavailable");

        public ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken) => new(WeChatDedupeDecision.Run);
    }

    /// <summary>
    /// Claims the first delivery of each key; records outcomes only when the test lets it (a slow Redis). A later
    /// delivery of a key meets the first one's lease and waits for its outcome, as the Redis store does.
    /// </summary>
    private sealed class SlowCompletionStore : IWeChatDedupeStore
    {
        private readonly HashSet<string> _claimed = [];

        public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<bool> Outcomes { get; } = [];

        public ValueTask<WeChatDedupeDecision> TryBeginAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken)
        {
            lock (_claimed)
            {
                return new(_claimed.Add(key) ? WeChatDedupeDecision.Run : Release.Task.IsCompleted ? WeChatDedupeDecision.Done : WeChatDedupeDecision.InFlight);
            }
        }

        public ValueTask<bool> RenewAsync(string key, long owner, TimeSpan lease, CancellationToken cancellationToken) => new(true);

        public async ValueTask CompleteAsync(string key, long owner, bool succeeded, TimeSpan window, CancellationToken cancellationToken)
        {
            lock (_claimed)
            {
                Outcomes.Add(succeeded);
            }

            Recorded.TrySetResult();
            await Release.Task;
        }

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<WeChatDedupeDecision> WaitAsync(string key, long owner, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Waiting.TrySetResult();
            await Release.Task;
            return WeChatDedupeDecision.Done;
        }
    }

    [Fact]
    public async Task The_answer_does_not_wait_for_the_done_mark_and_a_retry_meanwhile_waits_for_it_instead_of_running()
    {
        // The clock stands still: no store timeout or deadline can answer for the handler.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new SlowCompletionStore();
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(time).AddSingleton<IWeChatDedupeStore>(store));
        string push = TestApp.TextXml("transfer", 81);

        // Answered with the handler's reply while the store is still recording the outcome.
        var response = await app.PostPlainAsync(push).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("transfer_customer_service", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await store.Recorded.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // WeChat's retry (the answer was lost on the way) finds the run's lease and waits for the outcome; the mark
        // lands; the retry is answered success without a second run.
        var retry = app.PostPlainAsync(push);
        await store.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        store.Release.SetResult();
        var retried = await retry.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(1, app.Probe.Count("Transfer"));
        Assert.Equal([true], store.Outcomes);
    }

    [Fact]
    public async Task A_store_failure_after_the_handler_is_logged_and_neither_fails_the_push_nor_the_queue()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<IWeChatDedupeStore>(new BrokenCompletionStore()));
        var response = await app.PostPlainAsync(TestApp.TextXml("transfer", 71));
        Assert.Contains("transfer_customer_service", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Message.Contains("dedupe store failed", StringComparison.Ordinal));

        // Background readers survive the same failure and keep serving.
        for (long id = 72; id < 75; id++)
        {
            await app.PostPlainAsync(TestApp.TextXml("later", id));
            app.Probe.Gate.Release();
        }

        await Eventually.HoldsAsync(() => app.Probe.Count("Later.end") >= 3, "three background handlers finished");
        Assert.Equal(3, app.Probe.Count("Later.end"));
    }
}

public class QueryParsingTests
{
    [Fact]
    public void Values_are_slices_of_the_query_the_first_occurrence_winning()
    {
        var query = WeChatQuery.Parse("?nonce=1&x=&signature=ab%2Bc&nonce=2&timestamp=&encrypt_type&msg_signature=z");
        Assert.Equal("1", query.Nonce.ToString());
        Assert.Equal("ab+c", query.Signature.ToString());
        Assert.True(query.Timestamp.IsPresent);
        Assert.Equal("", query.Timestamp.ToString());
        Assert.True(query.EncryptType.IsPresent);
        Assert.True(query.EncryptType.Span.IsEmpty);
        Assert.Equal("z", query.MsgSignature.ToString());
        Assert.False(query.EchoStr.IsPresent);
        Assert.True(query.EchoStr.Span.IsEmpty);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("?")]
    [InlineData("?&&")]
    public void An_empty_query_has_no_values(string? text)
    {
        var query = WeChatQuery.Parse(text);
        Assert.False(query.Nonce.IsPresent || query.Timestamp.IsPresent || query.Signature.IsPresent);
    }
}
