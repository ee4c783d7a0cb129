using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace WeChatHandlers.Api.Tests;

/// <summary>Token behaviour, proven by counting requests at the fake.</summary>
public sealed class AccessTokenTests : IAsyncLifetime
{
    private FakeWeChatApi _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeWeChatApi.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task One_hundred_concurrent_sends_cause_one_token_fetch()
    {
        await using var services = TestServices.Create(_fake);
        var client = services.Client();

        // Hold the token answer until every send has started, so all of them find the cache empty.
        _fake.TokenGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => client.SendTextAsync($"user-{i}", $"message {i}")))
            .ToList();
        await _fake.WaitForAsync("cgi-bin/stable_token", 1);
        _fake.TokenGate.SetResult();
        await Task.WhenAll(sends);

        Assert.Equal(1, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal(100, _fake.Count("cgi-bin/message/custom/send"));
        Assert.All(_fake.RequestsTo("cgi-bin/message/custom/send"), r => Assert.Equal("?access_token=TOKEN-wx-app-1-1", r.QueryString));
    }

    [Theory]
    [InlineData(500, 0)]
    [InlineData(200, 40001)]
    public async Task Concurrent_callers_share_one_failed_fetch(int status, int errcode)
    {
        await using var services = TestServices.Create(_fake);
        var tokens = services.GetRequiredService<IAccessTokenProvider>();
        _fake.TokenGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fake.Enqueue("cgi-bin/stable_token", status == 200 ? FakeResponse.Error(errcode, "invalid credential") : FakeResponse.Json("{}", status));

        // Each call joins the fetch before it returns its task (nothing before that awaits), so all twenty wait on the
        // one fetch, which the fake holds until every caller is in; its failure is then everyone's.
        var callers = Enumerable.Range(0, 20).Select(_ => tokens.GetAccessTokenAsync(TestServices.AppId).AsTask()).ToList();
        await _fake.WaitForAsync("cgi-bin/stable_token", 1);
        Assert.All(callers, c => Assert.False(c.IsCompleted));
        _fake.TokenGate.SetResult();

        foreach (var caller in callers)
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => caller);
            Assert.True(failure is WeChatApiException or HttpRequestException, failure.GetType().Name);
        }

        Assert.Equal(1, _fake.Count("cgi-bin/stable_token"));

        // A later caller starts a new fetch.
        Assert.Equal("TOKEN-wx-app-1-1", await tokens.GetAccessTokenAsync(TestServices.AppId));
        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));
    }

    [Fact]
    public async Task Token_is_cached_until_expires_in_minus_300_seconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = TestServices.Create(_fake, time: time);
        var tokens = services.GetRequiredService<IAccessTokenProvider>();

        var first = await tokens.GetAccessTokenAsync(TestServices.AppId);
        time.Advance(TimeSpan.FromSeconds(7200 - 300) - TimeSpan.FromMilliseconds(1));
        var stillCached = await tokens.GetAccessTokenAsync(TestServices.AppId);
        Assert.Equal(1, _fake.Count("cgi-bin/stable_token"));

        time.Advance(TimeSpan.FromMilliseconds(1));
        var refetched = await tokens.GetAccessTokenAsync(TestServices.AppId);

        Assert.Equal(first, stillCached);
        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));

        // stable_token in normal mode returns the same token while WeChat still considers it valid.
        Assert.Equal(first, refetched);
    }

    [Theory]
    [InlineData(200, 100)]
    [InlineData(302, 151)]
    [InlineData(600, 300)]
    [InlineData(601, 301)]
    public async Task A_lifetime_under_twice_the_margin_is_cached_for_half_of_it(int expiresIn, int cachedSeconds)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = TestServices.Create(_fake, time: time);
        var tokens = services.GetRequiredService<IAccessTokenProvider>();
        _fake.TokenExpiresIn = expiresIn;

        await tokens.GetAccessTokenAsync(TestServices.AppId);
        time.Advance(TimeSpan.FromSeconds(cachedSeconds) - TimeSpan.FromMilliseconds(600));
        await tokens.GetAccessTokenAsync(TestServices.AppId);
        Assert.Equal(1, _fake.Count("cgi-bin/stable_token"));

        time.Advance(TimeSpan.FromSeconds(1));
        await tokens.GetAccessTokenAsync(TestServices.AppId);
        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_once_and_the_call_retried_once()
    {
        await using var services = TestServices.Create(_fake);
        var client = services.Client();
        await client.SendTextAsync(TestServices.OpenId, "first");

        _fake.ExpireAllTokens();
        await client.SendTextAsync(TestServices.OpenId, "second");
        await client.SendTextAsync(TestServices.OpenId, "third");

        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal(
            ["?access_token=TOKEN-wx-app-1-1", "?access_token=TOKEN-wx-app-1-1", "?access_token=TOKEN-wx-app-1-2", "?access_token=TOKEN-wx-app-1-2"],
            _fake.RequestsTo("cgi-bin/message/custom/send").Select(r => r.QueryString));
        Assert.Contains(services.Logs().GetSnapshot(), r => r.Message.Contains("errcode 42001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_rejections_of_one_token_cause_one_refresh()
    {
        await using var services = TestServices.Create(_fake);
        var client = services.Client();
        await client.SendTextAsync(TestServices.OpenId, "warm");
        _fake.ExpireAllTokens();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => client.SendTextAsync($"user-{i}", "after expiry"))));

        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal(20, _fake.RequestsTo("cgi-bin/message/custom/send").Count(r => r.QueryString == "?access_token=TOKEN-wx-app-1-2"));
    }

    [Theory]
    [InlineData(40001)]
    [InlineData(40014)]
    [InlineData(42001)]
    public async Task A_token_rejected_again_after_the_refresh_surfaces_without_a_loop(int code)
    {
        await using var services = TestServices.Create(_fake);
        _fake.Handle("cgi-bin/message/custom/send", (_, _) => Task.FromResult(FakeResponse.Error(code, "rejected")));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().SendTextAsync(TestServices.OpenId, "x"));

        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(2, _fake.Count("cgi-bin/message/custom/send"));
        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));
    }

    [Fact]
    public async Task Classic_mode_uses_cgi_bin_token_with_the_documented_query()
    {
        await using var services = TestServices.Create(_fake, o => o.TokenMode = AccessTokenMode.Classic);

        await services.Client().SendTextAsync(TestServices.OpenId, "hi");

        var token = Assert.Single(_fake.RequestsTo("cgi-bin/token"));
        Assert.Equal("GET", token.Method);
        Assert.Equal("?grant_type=client_credential&appid=wx-app-1&secret=secret-1", token.QueryString);
        Assert.Empty(token.Body);
        Assert.Equal(0, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal("?access_token=TOKEN-wx-app-1-1", Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/send")).QueryString);
    }

    [Fact]
    public async Task A_bad_secret_is_raised_from_the_token_endpoint_and_nothing_is_sent()
    {
        await using var services = TestServices.Create(_fake, o => o.AppSecret = "wrong");

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => services.Client().SendTextAsync(TestServices.OpenId, "hi"));

        Assert.Equal(WeChatErrorCodes.InvalidCredential, e.ErrorCode);
        Assert.Equal("cgi-bin/stable_token", e.Api);
        Assert.Equal(1, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal(0, _fake.Count("cgi-bin/message/custom/send"));
    }

    [Fact]
    public async Task A_busy_token_endpoint_is_retried()
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/stable_token", FakeResponse.Error(-1, "system error"));

        await services.Client().SendTextAsync(TestServices.OpenId, "hi");

        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal(1, _fake.Count("cgi-bin/message/custom/send"));
    }

    [Fact]
    public async Task A_token_answer_without_a_token_is_an_error_not_a_silent_default()
    {
        await using var services = TestServices.Create(_fake);
        _fake.Enqueue("cgi-bin/stable_token", FakeResponse.Json("{\"expires_in\":7200}"));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => services.Client().SendTextAsync(TestServices.OpenId, "hi"));

        Assert.Equal(HttpRequestError.InvalidResponse, e.HttpRequestError);
        Assert.Equal(0, _fake.Count("cgi-bin/message/custom/send"));
    }

    [Fact]
    public async Task An_unknown_app_id_is_refused_before_any_request()
    {
        await using var services = TestServices.Create(_fake);

        await Assert.ThrowsAsync<ArgumentException>(async () => await services.GetRequiredService<IAccessTokenProvider>().GetAccessTokenAsync("wx-unknown"));

        Assert.Empty(_fake.Requests);
    }
}
