using System.Diagnostics;
using StackExchange.Redis;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Redis.Tests;

/// <summary>The Redis store's lease on a real Redis-protocol server: claim, renew, take-over, release, done.</summary>
[Trait("Category", "Redis")]
public sealed class RedisWeChatDedupeStoreTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";
    private ConnectionMultiplexer _connection = null!;
    private RedisWeChatDedupeStore _store = null!;

    public async Task InitializeAsync()
    {
        await redis.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        _store = new RedisWeChatDedupeStore(_connection, TimeProvider.System, _prefix);
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task A_lease_left_to_run_out_is_taken_over_and_its_old_owner_can_neither_renew_nor_release_it()
    {
        Assert.Equal(WeChatDedupeDecision.Run, await _store.TryBeginAsync("k", 1, TimeSpan.FromSeconds(30), default));
        Assert.Equal(WeChatDedupeDecision.InFlight, await _store.TryBeginAsync("k", 2, TimeSpan.FromSeconds(30), default));

        // The owner dies and renews no more: its lease runs out (brought forward to 100 ms here, so that no slowness
        // between the two claims above can expire it early), Redis expires the key, and the next claim owns the message.
        Assert.True(await _connection.GetDatabase().KeyExpireAsync(_prefix + "k", TimeSpan.FromMilliseconds(100)));
        var started = Stopwatch.StartNew();
        var decision = WeChatDedupeDecision.InFlight;
        while (decision == WeChatDedupeDecision.InFlight && started.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
            decision = await _store.TryBeginAsync("k", 2, TimeSpan.FromSeconds(30), default);
        }

        Assert.Equal(WeChatDedupeDecision.Run, decision);
        Assert.False(await _store.RenewAsync("k", 1, TimeSpan.FromSeconds(30), default));
        await _store.CompleteAsync("k", 1, succeeded: false, TimeSpan.FromMinutes(5), default);
        Assert.Equal(WeChatDedupeDecision.InFlight, await _store.TryBeginAsync("k", 3, TimeSpan.FromSeconds(30), default));

        await _store.CompleteAsync("k", 2, succeeded: true, TimeSpan.FromMinutes(5), default);
        Assert.Equal(WeChatDedupeDecision.Done, await _store.TryBeginAsync("k", 3, TimeSpan.FromSeconds(30), default));
        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(_prefix + "k");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Renewing_extends_the_owners_lease_and_a_failure_releases_it_for_the_next_delivery()
    {
        Assert.Equal(WeChatDedupeDecision.Run, await _store.TryBeginAsync("r", 1, TimeSpan.FromSeconds(3), default));
        Assert.True(await _store.RenewAsync("r", 1, TimeSpan.FromSeconds(60), default));
        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(_prefix + "r");
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

        await _store.CompleteAsync("r", 1, succeeded: false, TimeSpan.FromMinutes(5), default);
        Assert.Equal(WeChatDedupeDecision.Run, await _store.TryBeginAsync("r", 2, TimeSpan.FromSeconds(3), default));
    }

    [Fact]
    public async Task A_waiting_delivery_sees_the_run_finish()
    {
        Assert.Equal(WeChatDedupeDecision.Run, await _store.TryBeginAsync("w", 1, TimeSpan.FromSeconds(30), default));
        var waiting = _store.WaitAsync("w", 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), default).AsTask();
        await _store.CompleteAsync("w", 1, succeeded: true, TimeSpan.FromMinutes(5), default);
        Assert.Equal(WeChatDedupeDecision.Done, await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
