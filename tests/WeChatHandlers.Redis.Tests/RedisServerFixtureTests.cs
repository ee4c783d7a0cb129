using StackExchange.Redis;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Redis.Tests;

/// <summary>The fixture the Redis tests stand on: it stops and restarts its server, and says why a start failed.</summary>
[Trait("Category", "Redis")]
public sealed class RedisServerFixtureTests
{
    [Fact]
    public async Task A_stopped_server_refuses_connections_and_comes_back_empty_on_the_same_port()
    {
        var fixture = new RedisServerFixture();
        await fixture.InitializeAsync();
        try
        {
            string configuration = fixture.Configuration;
            await using (var connection = await ConnectionMultiplexer.ConnectAsync(configuration))
            {
                await connection.GetDatabase().StringSetAsync("kept?", "yes");
            }

            await fixture.StopAsync();
            Assert.False(fixture.IsRunning);
            await Assert.ThrowsAsync<RedisConnectionException>(async () =>
            {
                await using var refused = await ConnectionMultiplexer.ConnectAsync($"{configuration},connectTimeout=500,abortConnect=true");
            });

            await fixture.StartAsync();
            Assert.Equal(configuration, fixture.Configuration);
            await using var again = await ConnectionMultiplexer.ConnectAsync(configuration);
            Assert.False((await again.GetDatabase().StringGetAsync("kept?")).HasValue);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the stand-in server is a shell script
    public async Task A_server_that_cannot_start_is_reported_with_its_exit_code_and_output()
    {
        string script = Path.Combine(Path.GetTempPath(), $"broken-redis-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho 'cannot open the configuration' >&2\nexit 3\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var fixture = new RedisServerFixture(script);
            var e = await Assert.ThrowsAnyAsync<RedisServerFixture.FixtureStartException>(fixture.InitializeAsync);
            Assert.Contains("exited with code 3", e.Message, StringComparison.Ordinal);
            Assert.Contains("cannot open the configuration", e.Message, StringComparison.Ordinal);
            await fixture.DisposeAsync();
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task A_missing_server_executable_is_named()
    {
        var fixture = new RedisServerFixture("/nonexistent/redis-server");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(fixture.InitializeAsync);
        Assert.Contains("/nonexistent/redis-server", e.Message, StringComparison.Ordinal);
        Assert.Contains(RedisServerFixture.ServerVariable, e.Message, StringComparison.Ordinal);
    }
}
