using System.Net;

namespace WeChatHandlers.Testing.Tests;

/// <summary>The README's test, against the README's app (tests/ReadmeApp), hosted from its own Program.</summary>
public sealed class AppFactoryTests
{
    [Fact]
    public async Task The_apps_own_handlers_answer_and_reply_through_the_fake_api()
    {
        await using var app = new WeChatAppFactory<Program>();
        await app.StartAsync();

        var response = await app.SendAsync(WeChatPush.Text("help").From("user-1"));

        Assert.True(response.IsSuccess);
        Assert.Equal(["SupportHandlers.Help"], response.Handlers);
        var sent = Assert.Single(app.Api.Messages);
        Assert.Equal("user-1", sent.ToUser);
        Assert.Equal("1. Orders  2. Returns  3. Talk to a person", sent.Text);
    }

    [Theory]
    [InlineData(WeChatFormat.Xml)]
    [InlineData(WeChatFormat.Json)]
    public async Task Safe_mode_pushes_and_encrypted_replies_work_against_the_real_program(WeChatFormat format)
    {
        await using var app = new WeChatAppFactory<Program>();
        await app.StartAsync();
        var client = app.CreatePushClient();

        Assert.True((await client.VerifyUrlAsync()).Succeeded);
        var welcome = await client.SendAsync(WeChatPush.UserEnterTempSession(), new WeChatPushOptions { Format = format, Encrypt = true });
        var transfer = await client.SendAsync(WeChatPush.Text("something else"), new WeChatPushOptions { Format = format, Encrypt = true });

        Assert.Equal(HttpStatusCode.OK, welcome.StatusCode);
        Assert.Equal("Hi! Type 'help' for the menu.", Assert.Single(app.Api.Messages).Text);
        Assert.True(transfer.ReplyWasEncrypted);
        Assert.True(transfer.IsTransferToCustomerService);
        Assert.Equal(format == WeChatFormat.Json ? '{' : '<', transfer.Reply![0]);
    }
}

/// <summary>The factory as an xunit class fixture: one app for the class's tests, built by xunit itself.</summary>
public sealed class AppFactoryFixtureTests(WeChatAppFactory<Program> app) : IClassFixture<WeChatAppFactory<Program>>, IAsyncLifetime
{
    public Task InitializeAsync() => app.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_class_fixture_factory_starts_once_and_serves_each_test()
    {
        var response = await app.SendAsync(WeChatPush.Text("help").From("fixture-user"));

        Assert.Equal(["SupportHandlers.Help"], response.Handlers);
        Assert.Contains(app.Api.Messages, m => m.ToUser == "fixture-user");
    }

    [Fact]
    public async Task A_disposed_factory_refuses_to_start_again()
    {
        await using var other = new WeChatAppFactory<Program>();
        await other.StartAsync();
        await other.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => other.StartAsync());
    }

    [Fact]
    public async Task A_failure_for_an_api_the_fake_does_not_serve_is_refused_and_a_leading_slash_is_the_same_api()
    {
        var e = Assert.Throws<ArgumentException>(() => app.Api.FailNext("cgi-bin/message/custom/sned", 45015));
        Assert.Contains("cgi-bin/message/custom/send", e.Message, StringComparison.Ordinal);

        // On a fake of its own, so nothing stays queued for the class's other tests: the failure is answered.
        await using var fake = await FakeWeChatApi.StartAsync();
        fake.FailNext("/" + WeChatApiPaths.Typing, 45015);
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };
        using var answer = await http.PostAsync(WeChatApiPaths.Typing + "?access_token=any", new StringContent("{}"));

        Assert.Contains("45015", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(45015, Assert.Single(fake.Calls).ErrorCode);
    }
}
