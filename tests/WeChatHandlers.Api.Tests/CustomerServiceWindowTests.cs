using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace WeChatHandlers.Api.Tests;

/// <summary>Quota awareness: the client refuses, without calling WeChat, what the known window does not allow.</summary>
public sealed class CustomerServiceWindowTests : IAsyncLifetime
{
    private const string Send = "cgi-bin/message/custom/send";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero));
    private FakeWeChatApi _fake = null!;
    private ServiceProvider _services = null!;

    private ICustomerServiceWindowTracker Windows => _services.GetRequiredService<ICustomerServiceWindowTracker>();

    public async Task InitializeAsync()
    {
        _fake = await FakeWeChatApi.StartAsync();
        _services = TestServices.Create(_fake, time: _time);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task Unknown_users_are_let_through()
    {
        for (var i = 0; i < 7; i++)
        {
            await _services.Client().SendTextAsync(TestServices.OpenId, $"m{i}");
        }

        Assert.Equal(7, _fake.Count(Send));
        Assert.Null(Windows.GetWindow(TestServices.AppId, TestServices.OpenId));
    }

    [Fact]
    public async Task A_user_message_allows_five_sends_then_the_sixth_fails_fast()
    {
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        for (var i = 0; i < 5; i++)
        {
            await _services.Client().SendTextAsync(TestServices.OpenId, $"m{i}");
        }

        var e = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "sixth"));

        Assert.Equal(5, _fake.Count(Send));
        Assert.True(e.IsReplyCountExceeded);
        Assert.Equal(Send, e.Api);
        Assert.Equal(0, e.Window.Remaining);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(48), e.Window.ExpiresAt);
        Assert.Contains("not called", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_user_message_window_closes_after_48_hours()
    {
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromHours(48) - TimeSpan.FromSeconds(1));
        await _services.Client().SendTextAsync(TestServices.OpenId, "just in time");

        _time.Advance(TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "too late"));

        Assert.True(e.IsReplyWindowOver);
        Assert.Equal(1, _fake.Count(Send));
    }

    [Fact]
    public async Task Entering_the_session_allows_two_sends_within_one_minute()
    {
        Windows.OnSessionEntered(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        await _services.Client().SendTextAsync(TestServices.OpenId, "welcome");
        await _services.Client().SendLinkAsync(TestServices.OpenId, new LinkCard("t", "d", "https://example.com", "https://example.com/t.png"));
        var spent = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "third"));

        Windows.OnSessionEntered(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        await _services.Client().SendTextAsync(TestServices.OpenId, "after re-entering");
        _time.Advance(TimeSpan.FromMinutes(1));
        var over = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "a minute later"));

        Assert.Equal(WeChatErrorCodes.ReplyCountExceeded, spent.ErrorCode);
        Assert.Equal(WeChatErrorCodes.ReplyWindowOver, over.ErrorCode);
        Assert.Equal(3, _fake.Count(Send));
    }

    [Fact]
    public void Quotas_do_not_add_up_each_action_resets_the_count_and_extends_the_window()
    {
        var start = _time.GetUtcNow();
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, start);
        Assert.Equal(CustomerServiceWindowState.Reserved, Windows.TryReserveSend(TestServices.AppId, TestServices.OpenId).State);

        // Entering the session resets the count to its own maximum (2), but the 48 h window stays the longer one.
        Windows.OnSessionEntered(TestServices.AppId, TestServices.OpenId, start + TimeSpan.FromMinutes(10));
        Assert.Equal(
            new CustomerServiceWindow(CustomerServiceWindowOrigin.SessionEntered, 2, start + TimeSpan.FromHours(48)),
            Windows.GetWindow(TestServices.AppId, TestServices.OpenId));

        // A new message resets to 5 and moves the end 48 h past it.
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, start + TimeSpan.FromHours(1));
        Assert.Equal(
            new CustomerServiceWindow(CustomerServiceWindowOrigin.UserMessage, 5, start + TimeSpan.FromHours(49)),
            Windows.GetWindow(TestServices.AppId, TestServices.OpenId));

        // A push older than the last action (a late retry) changes nothing.
        Windows.OnSessionEntered(TestServices.AppId, TestServices.OpenId, start + TimeSpan.FromMinutes(30));
        Assert.Equal(5, Windows.GetWindow(TestServices.AppId, TestServices.OpenId)!.Value.Remaining);
    }

    [Fact]
    public async Task A_send_that_failed_for_another_reason_gives_its_quota_back()
    {
        Windows.OnSessionEntered(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        _fake.Enqueue(Send, FakeResponse.Error(48001, "api unauthorized"));
        await Assert.ThrowsAsync<WeChatApiException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "refused"));

        Assert.Equal(2, Windows.GetWindow(TestServices.AppId, TestServices.OpenId)!.Value.Remaining);
        await _services.Client().SendTextAsync(TestServices.OpenId, "one");
        await _services.Client().SendTextAsync(TestServices.OpenId, "two");
        Assert.Equal(3, _fake.Count(Send));
    }

    [Fact]
    public async Task A_45015_from_wechat_makes_later_sends_fail_fast_until_the_user_writes_again()
    {
        _fake.Enqueue(Send, FakeResponse.Error(45015, "response out of time limit or subscription is canceled"));
        var remote = await Assert.ThrowsAsync<WeChatApiException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "first"));
        var local = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "second"));
        Assert.Equal(1, _fake.Count(Send));

        _time.Advance(TimeSpan.FromSeconds(1));
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        await _services.Client().SendTextAsync(TestServices.OpenId, "after the user wrote");

        Assert.True(remote.IsReplyWindowOver);
        Assert.True(local.IsReplyWindowOver);
        Assert.Equal(2, _fake.Count(Send));
    }

    [Fact]
    public async Task A_45047_from_wechat_marks_the_window_spent()
    {
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        _fake.Enqueue(Send, FakeResponse.Error(45047, "out of response count limit"));
        await Assert.ThrowsAsync<WeChatApiException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "first"));

        var e = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "second"));

        Assert.True(e.IsReplyCountExceeded);
        Assert.Equal(1, _fake.Count(Send));
    }

    [Theory]
    [InlineData(45047)]
    [InlineData(45015)]
    public async Task A_refusal_for_a_user_the_tracker_never_saw_is_remembered_as_what_it_said(int code)
    {
        _fake.Enqueue(Send, FakeResponse.Error(code, "refused"));
        await Assert.ThrowsAsync<WeChatApiException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "first"));

        var e = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync(TestServices.OpenId, "second"));

        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(code == 45047, e.IsReplyCountExceeded);
        Assert.Equal(code == 45015, e.IsReplyWindowOver);
        Assert.Equal(1, _fake.Count(Send));

        // The user's next message opens a new window, whatever WeChat said before.
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        await _services.Client().SendTextAsync(TestServices.OpenId, "third");
        Assert.Equal(2, _fake.Count(Send));
    }

    [Fact]
    public async Task Typing_uses_no_quota_but_fails_fast_once_the_window_is_over()
    {
        Windows.OnSessionEntered(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        await _services.Client().SetTypingAsync(TestServices.OpenId, TypingCommand.Typing);
        await _services.Client().SetTypingAsync(TestServices.OpenId, TypingCommand.CancelTyping);
        await _services.Client().SetTypingAsync(TestServices.OpenId, TypingCommand.Typing);
        Assert.Equal(2, Windows.GetWindow(TestServices.AppId, TestServices.OpenId)!.Value.Remaining);

        _time.Advance(TimeSpan.FromMinutes(1));
        var e = await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SetTypingAsync(TestServices.OpenId, TypingCommand.Typing));

        Assert.Equal("cgi-bin/message/custom/typing", e.Api);
        Assert.Equal(3, _fake.Count("cgi-bin/message/custom/typing"));
    }

    [Fact]
    public async Task Windows_are_per_app_id_and_user()
    {
        Windows.OnSessionEntered(TestServices.AppId, "user-a", _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(2));

        await Assert.ThrowsAsync<CustomerServiceWindowClosedException>(() => _services.Client().SendTextAsync("user-a", "closed"));
        await _services.Client().SendTextAsync("user-b", "unknown user");
        Assert.Null(Windows.GetWindow("wx-other", "user-a"));
        Assert.Equal(1, _fake.Count(Send));
    }

    [Fact]
    public async Task Enforcement_can_be_switched_off()
    {
        await using var services = TestServices.Create(_fake, o => o.EnforceCustomerServiceWindows = false, _time);
        services.GetRequiredService<ICustomerServiceWindowTracker>().OnSessionEntered(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromHours(1));

        await services.Client().SendTextAsync(TestServices.OpenId, "sent anyway");

        Assert.Equal(1, _fake.Count(Send));
    }

    [Fact]
    public void Memory_is_bounded_and_long_expired_windows_are_evicted()
    {
        var tracker = new CustomerServiceWindowTracker(Options.Create(new WeChatApiOptions { MaxTrackedWindows = 100 }), _time);
        for (var i = 0; i < 1000; i++)
        {
            tracker.OnSessionEntered(TestServices.AppId, $"user-{i}", _time.GetUtcNow());
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(tracker.Count, 1, 100);

        // The most recent users are the ones kept.
        Assert.NotNull(tracker.GetWindow(TestServices.AppId, "user-999"));

        _time.Advance(CustomerServiceWindow.SessionEnteredValidity + CustomerServiceWindowTracker.RetentionAfterExpiry);
        tracker.Sweep();
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public async Task Concurrent_sends_never_exceed_the_window()
    {
        Windows.OnUserMessage(TestServices.AppId, TestServices.OpenId, _time.GetUtcNow());

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await _services.Client().SendTextAsync(TestServices.OpenId, $"m{i}");
                return true;
            }
            catch (CustomerServiceWindowClosedException)
            {
                return false;
            }
        })));

        Assert.Equal(5, results.Count(sent => sent));
        Assert.Equal(5, _fake.Count(Send));
    }
}

public sealed class CustomerServiceWindowPushTests
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1714112445));

    [Theory]
    [InlineData("text", null, CustomerServiceWindowOrigin.UserMessage, 5, 48 * 3600)]
    [InlineData("image", null, CustomerServiceWindowOrigin.UserMessage, 5, 48 * 3600)]
    [InlineData("miniprogrampage", null, CustomerServiceWindowOrigin.UserMessage, 5, 48 * 3600)]
    [InlineData("event", "user_enter_tempsession", CustomerServiceWindowOrigin.SessionEntered, 2, 60)]
    public void Pushes_that_open_a_window(string msgType, string? eventName, CustomerServiceWindowOrigin origin, int quota, int seconds)
    {
        var tracker = new CustomerServiceWindowTracker(Microsoft.Extensions.Options.Options.Create(new WeChatApiOptions()), _time);

        Assert.True(tracker.OnPush("wx-app-1", "user", msgType, eventName, 1714112445));

        Assert.Equal(
            new CustomerServiceWindow(origin, quota, DateTimeOffset.FromUnixTimeSeconds(1714112445 + seconds)),
            tracker.GetWindow("wx-app-1", "user"));
    }

    [Theory]
    [InlineData("event", "subscribe_msg_popup_event")]
    [InlineData("event", "debug_demo")]
    [InlineData("event", null)]
    public void Other_events_open_nothing(string msgType, string? eventName)
    {
        var tracker = new CustomerServiceWindowTracker(Microsoft.Extensions.Options.Options.Create(new WeChatApiOptions()), _time);

        Assert.False(tracker.OnPush("wx-app-1", "user", msgType, eventName, 1714112445));

        Assert.Null(tracker.GetWindow("wx-app-1", "user"));
    }
}
