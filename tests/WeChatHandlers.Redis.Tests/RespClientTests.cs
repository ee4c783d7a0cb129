using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using WeChatHandlers.Redis.Resp;
using WeChatHandlers.Tests.Shared;

namespace WeChatHandlers.Redis.Tests;

/// <summary>
/// The dedupe store's own Redis client: replies matched to commands under concurrency on a real server, a dropped
/// connection failing what was in flight and coming back by itself, a server that stops answering, the handshake, and
/// which configurations it serves.
/// </summary>
[Trait("Category", "Redis")]
public sealed class RespClientTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan s_second = TimeSpan.FromSeconds(1);

    public Task InitializeAsync() => redis.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Concurrent_commands_each_get_their_own_reply_and_write_what_StackExchange_Redis_reads()
    {
        string prefix = $"resp-{Guid.NewGuid():N}:";
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(redis.Configuration), TimeProvider.System), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

        // Every key claimed twice at once by two owners, from many tasks: exactly one claim of each pair wins, and the
        // key then holds the winner's lease.
        var keys = Enumerable.Range(0, 500).Select(i => $"k{i}-消息").ToArray();
        var claims = await Task.WhenAll(keys.SelectMany(key => new[] { 1L, 2L }.Select(async owner =>
        {
            await Task.Yield();
            return (key, owner, won: await dedupe.ClaimAsync(prefix, key, owner, TimeSpan.FromMinutes(1)));
        })));
        using var check = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        foreach (var pair in claims.GroupBy(c => c.key))
        {
            var winner = Assert.Single(pair, c => c.won);
            Assert.Equal("L" + winner.owner, (string?)await check.GetDatabase().StringGetAsync(prefix + pair.Key));
            Assert.Equal(DedupeKeyState.Lease, await dedupe.ReadAsync(prefix, pair.Key));
        }

        await dedupe.MarkDoneAsync(prefix, keys[0], TimeSpan.FromMinutes(5));
        Assert.Equal(DedupeKeyState.Done, await dedupe.ReadAsync(prefix, keys[0]));
        Assert.InRange((await check.GetDatabase().KeyTimeToLiveAsync(prefix + keys[0]))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Equal(DedupeKeyState.Absent, await dedupe.ReadAsync(prefix, "never-claimed"));

        var owner = claims.First(c => c.key == keys[1] && c.won).owner;
        Assert.False(await dedupe.RenewAsync(prefix, keys[1], 3 - owner, TimeSpan.FromMinutes(2)));
        Assert.True(await dedupe.RenewAsync(prefix, keys[1], owner, TimeSpan.FromMinutes(2)));
        await dedupe.ReleaseAsync(prefix, keys[1], 3 - owner);
        Assert.Equal(DedupeKeyState.Lease, await dedupe.ReadAsync(prefix, keys[1]));
        await dedupe.ReleaseAsync(prefix, keys[1], owner);
        Assert.Equal(DedupeKeyState.Absent, await dedupe.ReadAsync(prefix, keys[1]));
    }

    [Fact]
    public async Task A_dropped_connection_fails_the_commands_in_flight_and_the_client_reconnects_by_itself()
    {
        await using var server = new FakeRespServer(command => command[0] == "GET" ? null : "+PONG\r\n");
        await using var client = new RespClient(Endpoint(server.Configuration), TimeProvider.System);
        await Eventually.HoldsAsync(() => client.IsConnected, "the client connects");

        var unanswered = client.ExecuteAsync("GET", "k").AsTask();
        await Eventually.HoldsAsync(() => server.Commands.Any(c => c[0] == "GET"), "the server receives the GET");
        server.DropClients();

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => unanswered);
        Assert.StartsWith("The connection to Redis failed", error.Message, StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => server.Connections == 2 && client.IsConnected, "the client opens a second connection");
        Assert.Equal(RespKind.Status, (await client.ExecuteAsync("PING")).Kind);
    }

    [Fact]
    public async Task A_command_left_unanswered_fails_at_the_command_timeout_and_the_connection_is_replaced()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var server = new FakeRespServer(command => command[0] == "GET" ? null : "+PONG\r\n");
        await using var client = new RespClient(Endpoint(server.Configuration) with { CommandTimeout = s_second }, time);
        await Eventually.HoldsAsync(() => client.IsConnected, "the client connects");

        var unanswered = client.ExecuteAsync("GET", "k").AsTask();

        // Short of the timeout, the watchdog's ticks leave the command alone; by a tick past it, it has failed it (the
        // fake clock runs timer callbacks as it moves, so only the completion's continuation is left to wait for).
        for (int step = 0; step < 19; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        await Task.Delay(20);
        Assert.False(unanswered.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(550));
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => unanswered.WaitAsync(Eventually.Bound));
        Assert.IsType<RedisTimeoutException>(error.InnerException);

        await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(50), () => server.Connections == 2 && client.IsConnected, "the client reconnects");
        Assert.Equal(RespKind.Status, (await client.ExecuteAsync("PING")).Kind);
    }

    [Fact]
    public async Task The_handshake_authenticates_and_selects_the_database_before_any_command()
    {
        await using var server = new FakeRespServer(_ => "+OK\r\n");
        await using var client = new RespClient(Endpoint($"{server.Configuration},user=bot,password=s3cret,defaultDatabase=3"), TimeProvider.System);
        await Eventually.HoldsAsync(() => client.IsConnected, "the client connects");
        await client.ExecuteAsync("PING");

        Assert.Equal(["AUTH bot s3cret", "INFO cluster", "INFO replication", "SELECT 3", "PING"], server.Commands.Select(c => string.Join(' ', c)));
        Assert.Empty(server.Faults);
    }

    [Fact]
    public async Task A_refused_password_keeps_the_client_disconnected_with_the_server_error_as_the_cause()
    {
        await using var server = new FakeRespServer(command => command[0] == "AUTH" ? "-WRONGPASS invalid username-password pair\r\n" : "+OK\r\n");
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint($"{server.Configuration},password=nope"), TimeProvider.System), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.HasAttempted, "the first attempt ends");

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => dedupe.ClaimAsync("p:", "k", 1, s_second).AsTask());
        Assert.IsType<RedisServerException>(error.InnerException);
        Assert.Contains("WRONGPASS", error.InnerException!.Message);
        var health = await dedupe.CheckHealthAsync(s_second, TimeProvider.System, default);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.DoesNotContain(server.Commands, c => c[0] == "SET");
    }

    [Fact]
    public async Task A_replica_is_not_used_and_the_client_keeps_trying_until_the_server_is_a_primary()
    {
        string role = "slave";
        await using var server = new FakeRespServer(command => command is ["INFO", "replication"] ? Bulk($"# Replication\r\nrole:{Volatile.Read(ref role)}\r\n") : "+OK\r\n");
        await using var client = new RespClient(Endpoint(server.Configuration), TimeProvider.System);
        await Eventually.HoldsAsync(() => client.HasAttempted, "the first attempt ends");
        Assert.False(client.IsConnected);
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync("PING").AsTask());
        Assert.Contains("replica", error.InnerException!.Message, StringComparison.Ordinal);

        // Promoted (or DNS now names the new primary): the next attempt connects.
        Volatile.Write(ref role, "master");
        await Eventually.HoldsAsync(() => client.IsConnected, "the client connects to the primary");
        Assert.DoesNotContain(server.Commands, c => c[0] == "PING");
    }

    [Fact]
    public async Task A_cluster_node_hands_the_store_to_StackExchange_Redis_and_the_own_client_stops_connecting()
    {
        await using var server = new FakeRespServer(command => command is ["INFO", "cluster"] ? Bulk("# Cluster\r\ncluster_enabled:1\r\n") : "+OK\r\n");
        int fallbacks = 0;
        await using var dedupe = new RespDedupeRedis(
            new RespClient(Endpoint(server.Configuration), TimeProvider.System),
            () =>
            {
                Interlocked.Increment(ref fallbacks);
                return new MultiplexerDedupeRedis(_ => Task.FromException<IConnectionMultiplexer>(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "the test's stand-in")));
            });
        await Eventually.HoldsAsync(() => dedupe.Client.IsCluster, "the client recognises the cluster node");

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => dedupe.ClaimAsync("p:", "k", 1, s_second).AsTask());
        Assert.Equal("the test's stand-in", error.Message);
        Assert.NotNull(dedupe.Fallback);
        Assert.Equal(1, fallbacks);
        Assert.Equal(1, server.Connections);
        Assert.DoesNotContain(server.Commands, c => c[0] == "SET");
    }

    [Fact]
    public async Task A_write_refused_as_misdirected_fails_its_command_and_the_connection_is_opened_again()
    {
        await using var server = new FakeRespServer(command => command[0] == "SET" ? "-READONLY You can't write against a read only replica.\r\n" : "+OK\r\n");
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(server.Configuration), TimeProvider.System), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => dedupe.ClaimAsync("p:", "k", 1, s_second).AsTask());
        Assert.StartsWith("READONLY", error.Message, StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => server.Connections == 2 && dedupe.Client.IsConnected, "the client opens a second connection");
    }

    [Fact]
    public async Task Disposing_waits_for_the_replies_to_commands_already_sent()
    {
        // The clock stands still: only the reply can end the wait, never the command timeout.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var server = new FakeRespServer(command => command[0] == "SET" ? null : "+OK\r\n");
        var client = new RespClient(Endpoint(server.Configuration), time);
        await Eventually.HoldsAsync(() => client.IsConnected, "the client connects");

        var mark = client.ExecuteAsync("SET", "k", "D", "PX", 300000).AsTask();
        await Eventually.HoldsAsync(() => server.Commands.Any(c => c[0] == "SET"), "the server receives the SET");
        var disposing = client.DisposeAsync().AsTask();

        // However long this takes, disposing cannot end before the reply (the clock does not move); the pause only
        // gives a dispose that does not wait the time to close the connection first.
        await Task.WhenAny(disposing, Task.Delay(200));
        Assert.False(disposing.IsCompleted);
        await server.SendToClientsAsync("+OK\r\n");

        Assert.Equal(RespKind.Status, (await mark.WaitAsync(Eventually.Bound)).Kind);
        await disposing.WaitAsync(Eventually.Bound);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_background_done_mark_is_written_in_order_with_the_awaited_commands_and_reports_nothing_when_it_succeeds()
    {
        string prefix = $"resp-bg-{Guid.NewGuid():N}:";
        var failures = new RecordedFailures();
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(redis.Configuration), TimeProvider.System), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

        // One connection, one order: a read awaited right after a background mark already sees the mark, and the
        // awaited commands around the marks each get their own reply.
        for (int i = 0; i < 200; i++)
        {
            string key = $"k{i}";
            Assert.True(await dedupe.ClaimAsync(prefix, key, i, TimeSpan.FromMinutes(1)));
            Assert.True(dedupe.TryMarkDoneInBackground(prefix, key, TimeSpan.FromMinutes(5), failures));
            Assert.Equal(DedupeKeyState.Done, await dedupe.ReadAsync(prefix, key));
            Assert.Equal(DedupeKeyState.Absent, await dedupe.ReadAsync(prefix, key + "-other"));
        }

        using var check = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        Assert.Equal("D", (string?)await check.GetDatabase().StringGetAsync(prefix + "k7"));
        Assert.InRange((await check.GetDatabase().KeyTimeToLiveAsync(prefix + "k7"))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Empty(failures.Seen);
    }

    [Fact]
    public async Task A_background_done_mark_refused_by_the_server_is_reported_with_its_error_and_the_connection_goes_on()
    {
        await using var server = new FakeRespServer(command => command is ["SET", _, "D", ..]
            ? "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
            : "+OK\r\n");
        var failures = new RecordedFailures();
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(server.Configuration), TimeProvider.System), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

        Assert.True(dedupe.TryMarkDoneInBackground("p:", "m:1", TimeSpan.FromMinutes(5), failures));
        Assert.Equal(RespKind.Status, (await dedupe.Client.ExecuteAsync("PING")).Kind);

        // The PING's reply came after the mark's on the same connection: the mark's failure has been reported.
        var (key, error) = Assert.Single(failures.Seen);
        Assert.Equal("m:1", key);
        Assert.StartsWith("OOM", Assert.IsType<RedisServerException>(error).Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Connections);
        Assert.Contains(server.Commands, c => string.Join(' ', c) == "SET p:m:1 D PX 300000");
    }

    [Fact]
    public async Task A_background_done_mark_in_flight_when_the_connection_drops_is_reported_as_lost()
    {
        await using var server = new FakeRespServer(command => command[0] == "SET" ? null : "+OK\r\n");
        var failures = new RecordedFailures();
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(server.Configuration), TimeProvider.System), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

        Assert.True(dedupe.TryMarkDoneInBackground("p:", "m:2", TimeSpan.FromMinutes(5), failures));
        await Eventually.HoldsAsync(() => server.Commands.Any(c => c[0] == "SET"), "the server receives the SET");
        Assert.Empty(failures.Seen);
        server.DropClients();

        await Eventually.HoldsAsync(() => !failures.Seen.IsEmpty, "the lost mark is reported");
        var (key, error) = Assert.Single(failures.Seen);
        Assert.Equal("m:2", key);
        Assert.StartsWith("The connection to Redis failed", Assert.IsType<RedisConnectionException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_background_done_mark_left_unanswered_is_reported_at_the_command_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var server = new FakeRespServer(command => command[0] == "SET" ? null : "+OK\r\n");
        var failures = new RecordedFailures();
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(server.Configuration) with { CommandTimeout = s_second }, time), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

        Assert.True(dedupe.TryMarkDoneInBackground("p:", "m:3", TimeSpan.FromMinutes(5), failures));
        await Eventually.HoldsAsync(() => server.Commands.Any(c => c[0] == "SET"), "the server receives the SET");
        var waited = await Eventually.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(50), () => !failures.Seen.IsEmpty, "the unanswered mark is reported");

        Assert.True(waited > s_second, $"reported after {waited.TotalMilliseconds} ms of the fake clock");
        var (key, error) = Assert.Single(failures.Seen);
        Assert.Equal("m:3", key);
        Assert.IsType<RedisTimeoutException>(Assert.IsType<RedisConnectionException>(error).InnerException);
    }

    [Fact]
    public async Task A_background_callback_that_throws_on_a_reply_leaves_the_connection_serving_and_its_exception_unobserved_not_lost()
    {
        await using var server = new FakeRespServer(command => command is ["SET", _, "D", ..] ? "-OOM no memory\r\n" : "+OK\r\n");
        var failures = new ThrowingFailures();
        Exception? unobserved = null;
        EventHandler<UnobservedTaskExceptionEventArgs> record = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Any(x => x is ReportingFailedException { Key: "m:5" }))
            {
                Volatile.Write(ref unobserved, e.Exception);
                e.SetObserved();
            }
        };
        TaskScheduler.UnobservedTaskException += record;
        try
        {
            await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(server.Configuration), TimeProvider.System), NoFallback);
            await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

            Assert.True(dedupe.TryMarkDoneInBackground("p:", "m:5", TimeSpan.FromMinutes(5), failures));
            Assert.Equal(RespKind.Status, (await dedupe.Client.ExecuteAsync("PING")).Kind);

            // The read loop survived the callback: the same connection answers, and the next mark is taken too.
            Assert.Equal(["m:5"], failures.Calls);
            Assert.True(dedupe.Client.IsConnected);
            Assert.True(dedupe.TryMarkDoneInBackground("p:", "m:6", TimeSpan.FromMinutes(5), failures));
            Assert.Equal(RespKind.Status, (await dedupe.Client.ExecuteAsync("PING")).Kind);
            Assert.Equal(["m:5", "m:6"], failures.Calls);
            Assert.Equal(1, server.Connections);

            // The callback's own failure goes where an unawaited task's goes.
            await Eventually.HoldsAsync(() =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                return Volatile.Read(ref unobserved) is not null;
            }, "the callback's exception reaches TaskScheduler.UnobservedTaskException");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= record;
        }
    }

    [Fact]
    public async Task Background_callbacks_that_throw_when_the_connection_drops_do_not_stop_the_others_or_the_reconnect()
    {
        await using var server = new FakeRespServer(command => command[0] == "SET" ? null : "+OK\r\n");
        var failures = new ThrowingFailures();
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint(server.Configuration), TimeProvider.System), NoFallback);
        await Eventually.HoldsAsync(() => dedupe.Client.IsConnected, "the client connects");

        Assert.True(dedupe.TryMarkDoneInBackground("p:", "m:7", TimeSpan.FromMinutes(5), failures));
        Assert.True(dedupe.TryMarkDoneInBackground("p:", "m:8", TimeSpan.FromMinutes(5), failures));
        await Eventually.HoldsAsync(() => server.Commands.Count(c => c[0] == "SET") == 2, "the server receives both SETs");
        server.DropClients();

        await Eventually.HoldsAsync(() => failures.Calls.Count == 2, "both lost marks are reported, though the first report threw");
        Assert.Equal(["m:7", "m:8"], failures.Calls);
        await Eventually.HoldsAsync(() => server.Connections == 2 && dedupe.Client.IsConnected, "the client connects again");
        Assert.Equal(RespKind.Status, (await dedupe.Client.ExecuteAsync("PING")).Kind);
    }

    [Fact]
    public async Task Without_a_connection_a_background_done_mark_is_not_taken_and_the_caller_awaits_the_mark_instead()
    {
        // Port 1 on loopback: privileged, and nothing in the suite listens there (a port released by a listener of this
        // test could be taken by another test's server meanwhile), so the client never connects.
        var failures = new RecordedFailures();
        await using var dedupe = new RespDedupeRedis(new RespClient(Endpoint("127.0.0.1:1"), TimeProvider.System), NoFallback);

        Assert.False(dedupe.TryMarkDoneInBackground("p:", "m:4", TimeSpan.FromMinutes(5), failures));
        await Assert.ThrowsAsync<RedisConnectionException>(() => dedupe.MarkDoneAsync("p:", "m:4", TimeSpan.FromMinutes(5)).AsTask());
        Assert.Empty(failures.Seen);
    }

    [Theory]
    [InlineData("127.0.0.1:6390", true)]
    [InlineData("redis.internal,password=x,defaultDatabase=2", true)]
    [InlineData("a:6379,b:6379", false)]
    [InlineData("cache.example:6380,ssl=true,password=x", false)]
    [InlineData("s1:26379,serviceName=mymaster", false)]
    [InlineData("127.0.0.1:6379,$SET=ZET", false)]
    public void One_plain_server_is_served_by_the_own_client_and_anything_else_by_StackExchange_Redis(string configuration, bool own)
    {
        var endpoint = RespEndpoint.TryFrom(ConfigurationOptions.Parse(configuration));
        Assert.Equal(own, endpoint is not null);
        if (configuration.StartsWith("redis.internal", StringComparison.Ordinal))
        {
            Assert.Equal(new System.Net.DnsEndPoint("redis.internal", 6379), endpoint!.Address);
            Assert.Equal(("x", 2), (endpoint.Password, endpoint.Database));
        }
    }

    [Fact]
    public void Replies_split_at_every_byte_read_the_same_as_whole()
    {
        string stream = "+OK\r\n-ERR wrong type\r\n:42\r\n:-1\r\n$-1\r\n$1\r\nD\r\n$0\r\n\r\n$8\r\nL1234567\r\n*-1\r\n$6\r\n消息\r\n";
        RespReply[] expected =
        [
            new(RespKind.Status, 0, null), new(RespKind.Error, 0, "ERR wrong type"), new(RespKind.Integer, 42, null),
            new(RespKind.Integer, -1, null), new(RespKind.Null, 0, null), new(RespKind.Bulk, 0, "D"), new(RespKind.Bulk, 0, ""),
            new(RespKind.Bulk, 0, "L1234567"), new(RespKind.Null, 0, null), new(RespKind.Bulk, 0, "消息"),
        ];
        var bytes = Encoding.UTF8.GetBytes(stream);
        for (int split = 0; split <= bytes.Length; split++)
        {
            Assert.Equal(expected, ReadAll(bytes, split));
        }
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData("+OK\n")]
    [InlineData(":12x\r\n")]
    [InlineData("$3\r\nabcd\r\n")]
    [InlineData("*2\r\n$1\r\na\r\n$1\r\nb\r\n")]
    [InlineData("$-2\r\n")]
    public void Bytes_that_are_not_a_scalar_reply_are_a_protocol_error(string reply) =>
        Assert.Throws<InvalidDataException>(() => RespParser.TryRead(Encoding.UTF8.GetBytes(reply), out _, out _));

    [Fact]
    public void Arguments_are_written_as_bulk_strings_with_their_byte_lengths()
    {
        RespArg[] args = [RespArg.Concat("wechat:dedupe:", "m:消息"), RespArg.Tagged('L', 42), -7L, "PX", RespArg.Set, RespArg.Done];
        var buffer = new byte[256];
        var written = new StringBuilder();
        foreach (var arg in args)
        {
            Assert.True(arg.MaxLength <= buffer.Length);
            written.Append(Encoding.UTF8.GetString(buffer, 0, arg.Write(buffer)));
        }

        Assert.Equal("$22\r\nwechat:dedupe:m:消息\r\n$3\r\nL42\r\n$2\r\n-7\r\n$2\r\nPX\r\n$3\r\nSET\r\n$1\r\nD\r\n", written.ToString());
    }

    // Reports as a logger whose provider fails would: by throwing.
    private sealed class ThrowingFailures : IDoneMarkFailures
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _calls = new();

        public List<string> Calls => [.. _calls];

        public void DoneMarkFailed(string key, Exception error)
        {
            _calls.Enqueue(key);
            throw new ReportingFailedException(key);
        }
    }

    private sealed class ReportingFailedException(string key) : Exception($"The report of {key} failed.")
    {
        public string Key => key;
    }

    private sealed class RecordedFailures : IDoneMarkFailures
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string Key, Exception Error)> Seen { get; } = new();

        public void DoneMarkFailed(string key, Exception error) => Seen.Enqueue((key, error));
    }

    private static DedupeRedis NoFallback() => throw new InvalidOperationException("The server is not a cluster node.");

    private static string Bulk(string text) => $"${Encoding.UTF8.GetByteCount(text)}\r\n{text}\r\n";

    private static RespEndpoint Endpoint(string configuration) =>
        RespEndpoint.TryFrom(ConfigurationOptions.Parse(configuration)) ?? throw new InvalidOperationException(configuration);

    // Feeds the bytes in two reads, split at one position, through the parser as the read loop does.
    private static List<RespReply> ReadAll(byte[] bytes, int split)
    {
        var replies = new List<RespReply>();
        var buffer = new List<byte>();
        foreach (var part in new[] { bytes[..split], bytes[split..] })
        {
            buffer.AddRange(part);
            int start = 0;
            var data = buffer.ToArray();
            while (start < data.Length && RespParser.TryRead(data.AsSpan(start), out var reply, out int consumed))
            {
                replies.Add(reply);
                start += consumed;
            }

            buffer.RemoveRange(0, start);
        }

        Assert.Empty(buffer);
        return replies;
    }
}
