using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WeChatHandlers.Redis;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Api.Tests;

/// <summary>Several instances share one token through a real Redis: one fetch, no stampede, no invalidation.</summary>
[Trait("Category", "Redis")]
public sealed class RedisTokenStoreTests : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisServerFixture _redis;
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";
    private FakeWeChatApi _fake = null!;

    public RedisTokenStoreTests(RedisServerFixture redis) => _redis = redis;

    public async Task InitializeAsync() => _fake = await FakeWeChatApi.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task Two_instances_sending_at_once_fetch_the_token_once()
    {
        await using var first = Instance(AccessTokenMode.Stable);
        await using var second = Instance(AccessTokenMode.Stable);

        // Hold the token answer until both instances are waiting: one holds the lock, the other polls the cache.
        _fake.TokenGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => (i % 2 == 0 ? first : second).Client().SendTextAsync($"user-{i}", $"m{i}")))
            .ToList();
        await _fake.WaitForAsync("cgi-bin/stable_token", 1);

        // Proof that the race happened: the instance that lost the lock is waiting for the other's fetch.
        await Eventually.HoldsAsync(() => IsWaitingForLock(first) || IsWaitingForLock(second), "one instance waits for the other's refresh");

        Assert.True(IsWaitingForLock(first) ^ IsWaitingForLock(second), "exactly one instance waits for the other's refresh");
        _fake.TokenGate.SetResult();
        await Task.WhenAll(sends);

        Assert.Equal(1, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal(100, _fake.Count("cgi-bin/message/custom/send"));
        Assert.All(_fake.RequestsTo("cgi-bin/message/custom/send"), r => Assert.Equal("?access_token=TOKEN-wx-app-1-1", r.QueryString));
    }

    [Fact]
    public async Task Classic_tokens_are_fetched_by_one_instance_so_none_invalidates_another()
    {
        await using var first = Instance(AccessTokenMode.Classic);
        await using var second = Instance(AccessTokenMode.Classic);

        await first.Client().SendTextAsync("user-1", "from the first instance");
        await second.Client().SendTextAsync("user-2", "from the second instance");
        await using var third = Instance(AccessTokenMode.Classic);
        await third.Client().SendTextAsync("user-3", "from an instance started later");

        Assert.Equal(1, _fake.Count("cgi-bin/token"));
        Assert.All(_fake.RequestsTo("cgi-bin/message/custom/send"), r => Assert.Equal("?access_token=TOKEN-wx-app-1-1", r.QueryString));
    }

    [Fact]
    public async Task A_token_refreshed_by_one_instance_is_picked_up_by_the_other_without_a_second_fetch()
    {
        await using var first = Instance(AccessTokenMode.Stable);
        await using var second = Instance(AccessTokenMode.Stable);
        await first.Client().SendTextAsync("user-1", "warm first");
        await second.Client().SendTextAsync("user-2", "warm second");
        Assert.Equal(1, _fake.Count("cgi-bin/stable_token"));

        _fake.ExpireAllTokens();
        await first.Client().SendTextAsync("user-1", "first notices the expiry and refreshes");
        await second.Client().SendTextAsync("user-2", "second is refused, then reads the shared new token");

        Assert.Equal(2, _fake.Count("cgi-bin/stable_token"));
        Assert.Equal(
            ["TOKEN-wx-app-1-1", "TOKEN-wx-app-1-1", "TOKEN-wx-app-1-1", "TOKEN-wx-app-1-2", "TOKEN-wx-app-1-1", "TOKEN-wx-app-1-2"],
            _fake.RequestsTo("cgi-bin/message/custom/send").Select(r => r.Query["access_token"]));
    }

    [Fact]
    public async Task The_token_is_stored_under_the_app_id_with_its_expiry()
    {
        await using var instance = Instance(AccessTokenMode.Stable);
        await instance.Client().SendTextAsync("user-1", "hi");

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync($"{_prefix}access_token:{TestServices.AppId}");

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(7200 - 300 - 60), TimeSpan.FromSeconds(7200 - 300));
        Assert.False(await redis.GetDatabase().KeyExistsAsync($"{_prefix}access_token_lock:{TestServices.AppId}"), "the refresh lock is released");
    }

    [Fact]
    public async Task The_lock_is_exclusive_and_a_holder_whose_lease_ran_out_cannot_release_its_successor()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        var refreshLock = new RedisAccessTokenLock(_ => Task.FromResult<IConnectionMultiplexer>(redis));
        var key = $"{_prefix}lock-test";

        var holder = await refreshLock.TryAcquireAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(holder);
        Assert.Null(await refreshLock.TryAcquireAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None));

        // Let the lease run out (brought forward to 100 ms, so no slowness above can expire it before the exclusivity
        // check; Redis then expires the key), then a successor takes the lock.
        Assert.True(await redis.GetDatabase().KeyExpireAsync(key, TimeSpan.FromMilliseconds(100)));
        IAsyncDisposable? successor = null;
        await Eventually.HoldsAsync(async () => (successor = await refreshLock.TryAcquireAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None)) is not null, "a successor takes the expired lock");

        Assert.NotNull(successor);
        await holder.DisposeAsync();
        Assert.True(await redis.GetDatabase().KeyExistsAsync(key), "the stale holder must not delete its successor's lock");

        await successor.DisposeAsync();
        Assert.False(await redis.GetDatabase().KeyExistsAsync(key));
        await using var again = await refreshLock.TryAcquireAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(again);
    }

    private static bool IsWaitingForLock(IServiceProvider instance)
        => instance.Logs().GetSnapshot().Any(r => r.Id.Name == "WaitingForRefreshLock");

    private ServiceProvider Instance(AccessTokenMode mode)
        => TestServices.Create(
            _fake,
            o =>
            {
                o.TokenMode = mode;
                o.TokenLockPollInterval = TimeSpan.FromMilliseconds(20);
            },
            build: b => b.UseRedisAccessTokenStore(_redis.Configuration, _prefix));
}
