using System.Net;
using Microsoft.Extensions.Time.Testing;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Api.Tests;

/// <summary>Nothing fails silently: every error surfaces typed, with the API called.</summary>
public sealed class ErrorTests : IAsyncLifetime
{
    private FakeWeChatApi _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeWeChatApi.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task Reply_window_over_45015_surfaces_typed()
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/message/custom/send", FakeResponse.Error(45015, "response out of time limit or subscription is canceled"));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().SendTextAsync(TestServices.OpenId, "late"));

        Assert.IsNotType<CustomerServiceWindowClosedException>(e);
        Assert.True(e.IsReplyWindowOver);
        Assert.Equal(WeChatErrorCodes.ReplyWindowOver, e.ErrorCode);
        Assert.Equal("response out of time limit or subscription is canceled", e.ErrorMessage);
        Assert.Equal("cgi-bin/message/custom/send", e.Api);
        Assert.Equal(TestServices.AppId, e.AppId);
        Assert.Equal(
            "WeChat API cgi-bin/message/custom/send for AppId wx-app-1 failed with errcode 45015 (reply window over): response out of time limit or subscription is canceled",
            e.Message);
    }

    [Fact]
    public async Task An_errmsg_full_of_control_characters_is_bounded_and_cleaned_in_messages_and_logs()
    {
        await using var services = TestServices.Create(_fake);
        string hostile = "line1\\nFAKE LOG LINE\\r\\u001b[31m" + new string('A', 5000);
        _fake.Enqueue("cgi-bin/message/custom/send", FakeResponse.Json($"{{\"errcode\":40003,\"errmsg\":\"{hostile}\"}}"));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().SendTextAsync(TestServices.OpenId, "x"));

        // The property keeps WeChat's text as it came; what logs print is bounded and has no control characters.
        Assert.StartsWith("line1\nFAKE LOG LINE\r\u001b", e.ErrorMessage, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 400, $"a message of {e.Message.Length} characters");
        Assert.DoesNotContain(e.Message, char.IsControl);
        var line = Assert.Single(services.Logs().GetSnapshot(), r => r.Message.Contains("errcode 40003", StringComparison.Ordinal));
        Assert.True(line.Message.Length < 400, $"a log line of {line.Message.Length} characters");
        Assert.DoesNotContain(line.Message, char.IsControl);
    }

    [Theory]
    [InlineData(45047, "out of response count limit")]
    [InlineData(40003, "invalid openid")]
    [InlineData(48001, "api unauthorized")]
    [InlineData(45009, "reach max api daily quota limit")]
    public async Task Well_known_codes_surface_with_their_names(int code, string message)
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/message/custom/send", FakeResponse.Error(code, message));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().SendImageAsync(TestServices.OpenId, "MEDIA"));

        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(code == 45047, e.IsReplyCountExceeded);
        Assert.Equal(code == 40003, e.IsInvalidOpenId);
        Assert.Equal(code == 48001, e.IsApiUnauthorized);
        Assert.Contains($"errcode {code} ({WeChatErrorCodes.Describe(code)})", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _fake.Count("cgi-bin/message/custom/send"));
    }

    [Fact]
    public async Task Typing_errors_surface_typed()
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/message/custom/typing", FakeResponse.Error(45080, "no interaction"));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().SetTypingAsync(TestServices.OpenId, TypingCommand.Typing));

        Assert.Equal(WeChatErrorCodes.TypingWithoutRecentInteraction, e.ErrorCode);
        Assert.Equal("cgi-bin/message/custom/typing", e.Api);
    }

    [Fact]
    public async Task Upload_errors_surface_typed()
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/media/upload", FakeResponse.Error(40004, "invalid media type"));

        using var stream = new MemoryStream([1, 2, 3]);
        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().UploadTempMediaAsync(stream, "a.gif", "image/gif"));

        Assert.Equal(WeChatErrorCodes.InvalidMediaType, e.ErrorCode);
        Assert.Equal("cgi-bin/media/upload", e.Api);
    }

    [Fact]
    public async Task Busy_is_retried_with_a_doubling_backoff_on_the_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = TestServices.Create(_fake, o => o.BusyRetryDelay = TimeSpan.FromMilliseconds(200), time);
        _fake.Enqueue("cgi-bin/message/custom/send", FakeResponse.Error(-1, "system error"));
        _fake.Enqueue("cgi-bin/message/custom/send", FakeResponse.Error(-1, "system error"));

        var send = services.Client().SendTextAsync(TestServices.OpenId, "hi");
        await _fake.WaitForAsync("cgi-bin/message/custom/send", 1);
        await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(20), () => _fake.Count("cgi-bin/message/custom/send") >= 2, "the first busy retry");
        Assert.False(send.IsCompleted);
        await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(40), () => _fake.Count("cgi-bin/message/custom/send") >= 3, "the second busy retry");
        await send;

        Assert.Equal(3, _fake.Count("cgi-bin/message/custom/send"));
        var retries = services.Logs().GetSnapshot().Where(r => r.Id.Name == "BusyRetry").Select(r => r.Message).ToList();
        Assert.Equal(2, retries.Count);
        Assert.Contains("in 00:00:00.2000000", retries[0], StringComparison.Ordinal);
        Assert.Contains("in 00:00:00.4000000", retries[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_that_persists_surfaces_after_the_configured_retries()
    {
        await using var services = TestServices.Create(_fake, o => o.BusyRetryCount = 3);
        _fake.Handle("cgi-bin/message/custom/send", (_, _) => Task.FromResult(FakeResponse.Error(-1, "system error")));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().SendTextAsync(TestServices.OpenId, "hi"));

        Assert.True(e.IsSystemBusy);
        Assert.Equal(4, _fake.Count("cgi-bin/message/custom/send"));
    }

    [Fact]
    public async Task A_media_download_whose_error_body_stalls_raises_a_timeout()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = TestServices.Create(_fake, o => o.RequestTimeout = TimeSpan.FromSeconds(5), time);
        await services.Client().SendTextAsync(TestServices.OpenId, "warm the token");
        var never = new TaskCompletionSource();
        _fake.Enqueue("cgi-bin/media/get", FakeResponse.Error(40007, "invalid media_id") with { RestOfBody = never.Task });

        // The headers and the first byte of the JSON error arrive; the rest never does.
        var download = services.Client().GetTempMediaAsync("MEDIA");
        await _fake.WaitForAsync("cgi-bin/media/get", 1);
        var moved = await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(250), () => download.IsCompleted, "the request timeout");
        Assert.True(moved >= TimeSpan.FromSeconds(5), $"timed out after {moved} of fake time, before the 5 s RequestTimeout");

        await Assert.ThrowsAsync<TimeoutException>(() => download);
        never.SetResult();
    }

    [Fact]
    public async Task A_call_that_does_not_answer_in_time_raises_a_timeout()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = TestServices.Create(_fake, o => o.RequestTimeout = TimeSpan.FromSeconds(5), time);
        await services.Client().SendTextAsync(TestServices.OpenId, "warm the token");
        _fake.Handle("cgi-bin/message/custom/send", async (_, aborted) =>
        {
            await Task.Delay(Timeout.Infinite, aborted);
            return FakeResponse.Error(0, "ok");
        });

        var send = services.Client().SendTextAsync(TestServices.OpenId, "slow");
        await _fake.WaitForAsync("cgi-bin/message/custom/send", 2);
        Assert.False(send.IsCompleted);
        var moved = await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(250), () => send.IsCompleted, "the request timeout");
        Assert.True(moved >= TimeSpan.FromSeconds(5), $"timed out after {moved} of fake time, before the 5 s RequestTimeout");

        var e = await Assert.ThrowsAsync<TimeoutException>(() => send);
        Assert.Contains("cgi-bin/message/custom/send", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_is_honoured_and_not_reported_as_a_timeout()
    {
        await using var services = TestServices.Create(_fake);
        await services.Client().SendTextAsync(TestServices.OpenId, "warm the token");
        _fake.Handle("cgi-bin/message/custom/send", async (_, aborted) =>
        {
            await Task.Delay(Timeout.Infinite, aborted);
            return FakeResponse.Error(0, "ok");
        });
        using var cancel = new CancellationTokenSource();

        var send = services.Client().SendTextAsync(TestServices.OpenId, "cancel me", cancel.Token);
        await _fake.WaitForAsync("cgi-bin/message/custom/send", 2);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public async Task An_http_failure_surfaces_with_its_status()
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/message/custom/send", new FakeResponse(502, "bad gateway"u8.ToArray(), "text/plain"));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => services.Client().SendTextAsync(TestServices.OpenId, "hi"));

        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Contains("cgi-bin/message/custom/send", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_surfaces_as_an_invalid_response()
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/message/custom/send", new FakeResponse(200, "<html>proxy error</html>"u8.ToArray(), "text/html"));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => services.Client().SendTextAsync(TestServices.OpenId, "hi"));

        Assert.Equal(HttpRequestError.InvalidResponse, e.HttpRequestError);
    }

    [Fact]
    public async Task Logs_never_contain_the_secret_or_a_token()
    {
        await using var services = TestServices.Create(_fake, o => o.TokenMode = AccessTokenMode.Classic);
        var client = services.Client();
        await client.SendTextAsync(TestServices.OpenId, "hi");
        _fake.ExpireAllTokens();
        await client.SendTextAsync(TestServices.OpenId, "after expiry");
        _fake.Enqueue("cgi-bin/message/custom/send", FakeResponse.Error(-1, "busy"));
        _fake.Enqueue("cgi-bin/message/custom/send", FakeResponse.Error(40003, "invalid openid"));
        await Assert.ThrowsAsync<WeChatApiException>(() => client.SendTextAsync(TestServices.OpenId, "x"));
        _fake.Enqueue("cgi-bin/media/get", FakeResponse.Error(40007, "invalid media_id"));
        await Assert.ThrowsAsync<WeChatApiException>(() => client.GetTempMediaAsync("M"));

        var records = services.Logs().GetSnapshot();
        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            var text = record.Message + " " + string.Join(" ", record.StructuredState?.Select(kv => kv.Value) ?? []) + " " + record.Exception;
            Assert.DoesNotContain(TestServices.AppSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("TOKEN-", text, StringComparison.Ordinal);
        }
    }
}
