using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.AspNetCore.Tests;

public class VerificationTests
{
    [Fact]
    public async Task Official_url_verification_echoes_echostr_as_plain_text()
    {
        await using var app = await TestApp.StartAsync();
        // protocol.md §9 TV1.
        var response = await app.Client.GetAsync("/wechat?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("4375120948345356249", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("PuRqf6qOR9P0", "PuRqf6qOR9P0")]
    [InlineData("a%2Bb%2Fc%3D", "a+b/c=")]
    [InlineData("a+b", "a b")]
    public async Task Query_values_are_url_decoded_before_signing(string sent, string nonce)
    {
        await using var app = await TestApp.StartAsync();
        string signature = WeChatSignature.ComputeSignature(TestApp.Token, "1714036504", nonce);
        var response = await app.Client.GetAsync($"/wechat?signature={signature}&timestamp=1714036504&nonce={sent}&echostr=42");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("42", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/wechat?signature=f464b24fc39322e44b38aa78f5edd27bd1441697&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249", HttpStatusCode.Unauthorized)]
    [InlineData("/wechat?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&timestamp=1714036505&nonce=1514711492&echostr=4375120948345356249", HttpStatusCode.Unauthorized)]
    [InlineData("/wechat?timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249", HttpStatusCode.BadRequest)]

    // Empty timestamp and nonce: SHA-1 of the token alone, the same for every request, so they count as missing.
    [InlineData("/wechat?signature=" + TokenOnlySignature + "&timestamp=&nonce=&echostr=4375120948345356249", HttpStatusCode.BadRequest)]
    [InlineData("/wechat?signature=&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249", HttpStatusCode.BadRequest)]
    public async Task Bad_verification_is_refused_and_echostr_not_echoed(string url, HttpStatusCode expected)
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.Client.GetAsync(url);
        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("4375120948345356249", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Message.Contains("rejected", StringComparison.Ordinal));
    }

    // SHA-1 of the test token alone (sorted with two empty strings).
    private const string TokenOnlySignature = "c1fe3a7b487f66a6ac8c7e4794bc55c31b0ef403";

    [Fact]
    public void The_token_only_signature_is_what_an_empty_timestamp_and_nonce_sign() =>
        Assert.Equal(TokenOnlySignature, WeChatSignature.ComputeSignature(TestApp.Token, string.Empty, string.Empty));

    [Fact]
    public async Task A_push_with_an_empty_timestamp_or_nonce_is_refused_before_any_handler()
    {
        await using var app = await TestApp.StartAsync();
        var empty = await app.PostRawAsync($"/wechat?signature={TokenOnlySignature}&timestamp=&nonce=", TestApp.TextXml("hello"));
        var noNonce = await app.PostRawAsync($"/wechat?signature={WeChatSignature.ComputeSignature(TestApp.Token, "1", string.Empty)}&timestamp=1&nonce=", TestApp.TextXml("hello"));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noNonce.StatusCode);
        Assert.Equal("missing_parameters", await empty.Content.ReadAsStringAsync());
        Assert.Empty(app.Probe.Calls);
    }
}

public class PlaintextTests
{
    [Fact]
    public async Task Xml_push_reaches_the_handler_and_gets_success()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostPlainAsync(TestApp.TextXml("hello"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(("Hello", "hello|o9AgO5Kd5ggOC-bXrbNODIiE3bGY|Xml|False|wxba5fad812f8e6fb9"), Assert.Single(app.Probe.Calls));
    }

    [Fact]
    public async Task Json_labelled_text_xml_is_sniffed_as_json()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostPlainAsync(TestApp.TextJson("hello"), contentType: "text/xml");
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Equal("Hello", Assert.Single(app.Probe.Calls).Handler);
        Assert.EndsWith("|Json|False|wxba5fad812f8e6fb9", app.Probe.Calls[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Official_plaintext_vector_is_accepted()
    {
        await using var app = await TestApp.StartAsync();
        // protocol.md §9 TV2.
        var response = await app.PostRawAsync(
            "/wechat?signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059&nonce=486452656",
            """{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714037059,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("Debug", "hello world"), Assert.Single(app.Probe.Calls));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000")]
    [InlineData("")]
    public async Task Wrong_signature_is_401_and_runs_nothing(string signature)
    {
        await using var app = await TestApp.StartAsync();
        using var rejected = app.Counter("wechat.requests.rejected");
        var response = await app.PostPlainAsync(TestApp.TextXml("hello"), signature);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(app.Probe.Calls);
        Assert.Equal("bad_signature", rejected.LastMeasurement!.Tags["reason"]);
    }

    [Theory]
    [InlineData("<xml><Content>hello</Content>", "malformed_payload")]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><Content>&e;</Content></xml>", "malformed_payload")]
    [InlineData("{\"MsgType\":\"text\",", "malformed_payload")]
    [InlineData("", "malformed_payload")]
    [InlineData("garbage", "malformed_payload")]
    public async Task Malformed_bodies_are_400_with_a_log_line_and_run_nothing(string body, string reason)
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostPlainAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(reason, await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Probe.Calls);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Oversized_bodies_are_413_with_or_without_content_length()
    {
        await using var app = await TestApp.StartAsync(o => o.MaxBodySize = 2048);
        string big = TestApp.TextXml(new string('x', 4000));
        var declared = await app.PostPlainAsync(big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/wechat?signature=x&timestamp=1&nonce=2") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await app.Client.SendAsync(request);
        Assert.True(streamed.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.Unauthorized);
        Assert.Empty(app.Probe.Calls);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413_when_signed()
    {
        await using var app = await TestApp.StartAsync(o => o.MaxBodySize = 2048);
        string timestamp = "1714037059", nonce = "77";
        string signature = WeChatSignature.ComputeSignature(TestApp.Token, timestamp, nonce);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(TestApp.TextXml(new string('x', 4000))))),
        };
        request.Headers.TransferEncodingChunked = true;
        var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(app.Probe.Calls);
    }

    [Fact]
    public async Task Safe_mode_can_be_mandatory()
    {
        await using var app = await TestApp.StartAsync(o => o.RequireEncryption = true);
        var plain = await app.PostPlainAsync(TestApp.TextXml("hello"));
        Assert.Equal(HttpStatusCode.Forbidden, plain.StatusCode);
        var encrypted = await app.PostEncryptedAsync(TestApp.TextXml("hello"), json: false);
        Assert.Equal(HttpStatusCode.OK, encrypted.StatusCode);
        Assert.Equal("Hello", Assert.Single(app.Probe.Calls).Handler);
    }

    [Fact]
    public async Task Transfer_reply_is_rendered_in_the_request_format_with_to_and_from_swapped()
    {
        await using var app = await TestApp.StartAsync();
        var xml = await (await app.PostPlainAsync(TestApp.TextXml("transfer", 1))).Content.ReadAsStringAsync();
        Assert.Matches(@"^<xml><ToUserName><!\[CDATA\[o9AgO5Kd5ggOC-bXrbNODIiE3bGY\]\]></ToUserName><FromUserName><!\[CDATA\[gh_97417a04a28d\]\]></FromUserName><CreateTime>\d+</CreateTime><MsgType><!\[CDATA\[transfer_customer_service\]\]></MsgType></xml>$", xml);

        var json = await (await app.PostPlainAsync(TestApp.TextJson("transfer", 2))).Content.ReadAsStringAsync();
        Assert.Matches("""^\{"ToUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","FromUserName":"gh_97417a04a28d","CreateTime":\d+,"MsgType":"transfer_customer_service"\}$""", json);
    }

    [Fact]
    public async Task Unhandled_messages_are_acknowledged_and_counted()
    {
        await using var app = await TestApp.StartAsync();
        using var unhandled = app.Counter("wechat.messages.unhandled");
        var response = await app.PostPlainAsync("""{"ToUserName":"gh_97417a04a28d","FromUserName":"u","CreateTime":1,"MsgType":"voice","MsgId":5}""");
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Probe.Calls);
        Assert.Equal(1, unhandled.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Handler_exceptions_are_logged_and_hidden_from_wechat_or_500_when_asked()
    {
        await using (var app = await TestApp.StartAsync())
        {
            using var failed = app.Counter("wechat.handlers.failed");
            var response = await app.PostPlainAsync(TestApp.TextXml("boom"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("success", await response.Content.ReadAsStringAsync());
            Assert.DoesNotContain("handler failure", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(1, failed.GetMeasurementSnapshot().Sum(m => m.Value));
            var log = Assert.Single(app.Logs.GetSnapshot(), r => r.Exception is InvalidOperationException);
            Assert.Contains("|m|1234567890123456", log.Message, StringComparison.Ordinal);
        }

        await using (var app = await TestApp.StartAsync(o => o.ReturnServerErrorOnHandlerFailure = true))
        {
            var response = await app.PostPlainAsync(TestApp.TextXml("boom"));
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        }
    }
}

public class SafeModeTests
{
    [Fact]
    public async Task Official_safe_mode_vector_is_decrypted_and_dispatched()
    {
        await using var app = await TestApp.StartAsync();
        // protocol.md §9 TV3, byte for byte.
        const string encrypt = "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=";
        var response = await app.PostRawAsync(
            "/wechat?signature=6c5c811b55cc85e0e1b54100749188c20beb3f5d&timestamp=1714112445&nonce=415670741&openid=o9AgO5Kd5ggOC-bXrbNODIiE3bGY&encrypt_type=aes&msg_signature=046e02f8204d34f8ba5fa3b1db94908f3df2e9b3",
            $$"""{"ToUserName":"gh_97417a04a28d","Encrypt":"{{encrypt}}"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Equal(("Debug", "hello world"), Assert.Single(app.Probe.Calls));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Encrypted_pushes_in_both_formats_reach_handlers_marked_encrypted(bool json)
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostEncryptedAsync(json ? TestApp.TextJson("hello") : TestApp.TextXml("hello"), json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(json ? "|Json|True|wxba5fad812f8e6fb9" : "|Xml|True|wxba5fad812f8e6fb9", Assert.Single(app.Probe.Calls).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Encrypted_transfer_reply_is_an_envelope_that_decrypts_and_verifies(bool json)
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostEncryptedAsync(json ? TestApp.TextJson("transfer") : TestApp.TextXml("transfer"), json);
        var body = await response.Content.ReadAsByteArrayAsync();
        var envelope = WeChatPayload.ParseEnvelope(body);
        Assert.Equal(json ? WeChatFormat.Json : WeChatFormat.Xml, envelope.Format);
        string encrypt = envelope.GetString(WeChatField.Encrypt);
        string? timeStamp = envelope.GetField("TimeStamp"), nonce = envelope.GetField("Nonce"), signature = envelope.GetField("MsgSignature");
        Assert.Equal(WeChatSignature.ComputeMsgSignature(TestApp.Token, timeStamp!, nonce!, encrypt), signature);
        using var plain = app.Crypto.Decrypt(Encoding.UTF8.GetBytes(encrypt));
        var packet = WeChatPayload.Parse(plain.Message.ToArray());
        Assert.Equal(envelope.Format, packet.Format);
        Assert.Equal("transfer_customer_service", packet.GetString(WeChatField.MsgType));
        Assert.Equal("o9AgO5Kd5ggOC-bXrbNODIiE3bGY", packet.GetString(WeChatField.ToUserName));
        Assert.Equal(TestApp.OriginalId, packet.GetString(WeChatField.FromUserName));
    }

    [Fact]
    public async Task Tampered_ciphertext_is_401()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostEncryptedAsync(TestApp.TextXml("hello"), json: true, tamperEncrypt: e => (e[0] == 'A' ? 'B' : 'A') + e[1..]);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(app.Probe.Calls);
    }

    [Fact]
    public async Task Wrong_app_id_is_400_with_the_typed_reason()
    {
        await using var app = await TestApp.StartAsync();
        var other = new WeChatCrypto(TestApp.Token, TestApp.Key, "wx0000000000000000");
        var response = await app.PostEncryptedAsync(TestApp.TextXml("hello"), json: false, crypto: other);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("appid", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(app.Probe.Calls);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    [InlineData("")]
    public async Task Undecryptable_envelopes_are_400(string encrypt)
    {
        await using var app = await TestApp.StartAsync();
        string timestamp = "1", nonce = "2";
        string msgSignature = WeChatSignature.ComputeMsgSignature(TestApp.Token, timestamp, nonce, encrypt);
        var response = await app.PostRawAsync(
            $"/wechat?signature=x&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={msgSignature}",
            $$"""{"ToUserName":"gh_97417a04a28d","Encrypt":"{{encrypt}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(app.Probe.Calls);
    }

    [Fact]
    public async Task Missing_msg_signature_is_401()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostRawAsync("/wechat?signature=x&timestamp=1&nonce=2&encrypt_type=aes", """{"ToUserName":"gh_97417a04a28d","Encrypt":"AAAA"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public class AccountTests
{
    [Fact]
    public async Task Route_value_selects_the_account_and_unknown_app_ids_are_404()
    {
        await using var app = await TestApp.StartAsync(
            o => o.Accounts.Add(new WeChatCallbackAccountOptions { AppId = "wxsecond", Token = "second-token", OriginalId = "gh_second" }),
            pattern: "/wechat/{appId}");
        string timestamp = "1", nonce = "2";
        string signature = WeChatSignature.ComputeSignature("second-token", timestamp, nonce);
        var ok = await app.Client.PostAsync($"/wechat/wxsecond?signature={signature}&timestamp={timestamp}&nonce={nonce}", new StringContent(TestApp.TextXml("hello")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.EndsWith("|wxsecond", Assert.Single(app.Probe.Calls).Detail, StringComparison.Ordinal);

        var wrongToken = await app.Client.PostAsync($"/wechat/{TestApp.AppId}?signature={signature}&timestamp={timestamp}&nonce={nonce}", new StringContent(TestApp.TextXml("hello", 9)));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);

        var unknown = await app.Client.PostAsync($"/wechat/wxnobody?signature={signature}&timestamp={timestamp}&nonce={nonce}", new StringContent(TestApp.TextXml("hello", 10)));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "EncodingAESKey is invalid")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!A", "EncodingAESKey is invalid")]
    public async Task A_bad_key_fails_the_start_not_the_first_push(string key, string message)
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TestApp.StartAsync(o => o.EncodingAESKey = key));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_token_fails_the_start()
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TestApp.StartAsync(o =>
        {
            o.Token = string.Empty;
            o.AppId = null;
        }));
        Assert.Contains("Token is required", ex.Message, StringComparison.Ordinal);
    }
}

public class DedupeTests
{
    [Fact]
    public async Task A_retry_of_a_done_message_is_acknowledged_without_running_the_handler()
    {
        await using var app = await TestApp.StartAsync();
        using var duplicates = app.Counter("wechat.messages.duplicates");
        for (int i = 0; i < 3; i++)
        {
            var response = await app.PostPlainAsync(TestApp.TextXml("hello", 42));
            Assert.Equal("success", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, app.Probe.Count("Hello"));
        Assert.Equal(2, duplicates.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Events_dedupe_by_user_time_and_event()
    {
        await using var app = await TestApp.StartAsync();
        string enter(string from) => $$"""{"ToUserName":"gh_97417a04a28d","FromUserName":"{{from}}","CreateTime":1714112445,"MsgType":"event","Event":"user_enter_tempsession","SessionFrom":"s"}""";
        await app.PostPlainAsync(enter("userA"));
        await app.PostPlainAsync(enter("userA"));
        await app.PostPlainAsync(enter("userB"));
        Assert.Equal(2, app.Probe.Count("Enter"));
    }

    [Fact]
    public async Task A_retry_after_a_failure_runs_again()
    {
        await using var app = await TestApp.StartAsync();
        await app.PostPlainAsync(TestApp.TextXml("flaky", 7));
        await app.PostPlainAsync(TestApp.TextXml("flaky", 7));
        await app.PostPlainAsync(TestApp.TextXml("flaky", 7));
        Assert.Equal(2, app.Probe.Count("Flaky"));
    }

    [Fact]
    public async Task A_retry_while_the_first_is_in_flight_waits_then_is_acknowledged()
    {
        await using var app = await TestApp.StartAsync();
        var first = app.PostPlainAsync(TestApp.TextXml("slow", 8));
        await app.Probe.Started("Slow.start").Task.WaitAsync(TimeSpan.FromSeconds(30));
        var retry = app.PostPlainAsync(TestApp.TextXml("slow", 8));
        app.Probe.Gate.Release();
        Assert.Equal("success", await (await first).Content.ReadAsStringAsync());
        Assert.Equal("success", await (await retry).Content.ReadAsStringAsync());
        Assert.Equal(1, app.Probe.Count("Slow.start"));
        Assert.Equal(1, app.Probe.Count("Slow.end"));
    }

    [Fact]
    public async Task Memory_store_is_bounded_and_forgets_after_the_window()
    {
        var time = new FakeTimeProvider();
        var store = new MemoryWeChatDedupeStore(time, capacity: 100);
        var window = TimeSpan.FromSeconds(60);
        Assert.Equal(WeChatDedupeDecision.Run, await store.TryBeginAsync("k", 1, window, default));
        Assert.Equal(WeChatDedupeDecision.InFlight, await store.TryBeginAsync("k", 2, window, default));
        await store.CompleteAsync("k", 1, succeeded: true, window, default);
        Assert.Equal(WeChatDedupeDecision.Done, await store.TryBeginAsync("k", 2, window, default));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(WeChatDedupeDecision.Run, await store.TryBeginAsync("k", 3, window, default));
        for (int i = 0; i < 5000; i++)
        {
            await store.CompleteAsync("k" + i, 4, succeeded: true, window, default);
            _ = await store.TryBeginAsync("k" + i, 4, window, default);
            await store.CompleteAsync("k" + i, 4, succeeded: true, window, default);
        }

        Assert.InRange(store.Count, 1, 101);
    }
}

public class DeadlineTests
{
    [Fact]
    public async Task A_slow_handler_is_acknowledged_at_the_deadline_and_keeps_running()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(time));
        using var overruns = app.Counter("wechat.handlers.deadline_overruns");
        var request = app.PostPlainAsync(TestApp.TextXml("slow", 11));
        await app.Probe.Started("Slow.start").Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(request.IsCompleted);
        // The deadline timer may be armed a moment after the handler starts: move the clock until the answer comes.
        var moved = await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => request.IsCompleted, "the deadline acknowledgement");
        Assert.True(moved >= TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(100), $"acknowledged after {moved} of fake time, before the 4 s deadline");
        var response = await request;
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, app.Probe.Count("Slow.end"));
        Assert.Equal(1, overruns.GetMeasurementSnapshot().Sum(m => m.Value));

        app.Probe.Gate.Release();
        await app.Probe.Started("Slow.end").Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The late finish still counts as done: a retry is acknowledged without running again.
        await Eventually.HoldsAsync(async () => (await app.Services.GetRequiredService<IWeChatDedupeStore>().TryBeginAsync("wxba5fad812f8e6fb9|m|11", 0, TimeSpan.FromSeconds(3), default)) == WeChatDedupeDecision.Done, "the late finish marks the message done");
        await app.PostPlainAsync(TestApp.TextXml("slow", 11));
        Assert.Equal(1, app.Probe.Count("Slow.start"));
    }

    [Fact]
    public async Task Ack_first_handlers_answer_at_once_and_run_on_the_background_queue()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.PostPlainAsync(TestApp.TextXml("later", 12));
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        await app.Probe.Started("Later.start").Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, app.Probe.Count("Later.end"));
        app.Probe.Gate.Release();
        await app.Probe.Started("Later.end").Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Ack_first_can_be_the_global_mode()
    {
        await using var app = await TestApp.StartAsync(o => o.AckMode = WeChatAckMode.Immediately);
        var response = await app.PostPlainAsync(TestApp.TextXml("slow", 13));
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        await app.Probe.Started("Slow.start").Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, app.Probe.Count("Slow.end"));
        app.Probe.Gate.Release();
        await app.Probe.Started("Slow.end").Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
