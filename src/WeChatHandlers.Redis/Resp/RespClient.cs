using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace WeChatHandlers.Redis.Resp;

/// <summary>Where and how <see cref="RespClient"/> connects: one Redis server, plain TCP.</summary>
internal sealed record RespEndpoint(EndPoint Address, string? User, string? Password, int Database, TimeSpan ConnectTimeout, TimeSpan CommandTimeout)
{
    /// <summary>
    /// The endpoint of a StackExchange.Redis configuration that names one server over plain TCP with at most a user,
    /// a password and a database; null for anything else (TLS, several servers, Sentinel, a proxy or tunnel, renamed
    /// commands), which StackExchange.Redis serves instead.
    /// </summary>
    public static RespEndpoint? TryFrom(ConfigurationOptions options)
    {
        if (options.EndPoints.Count != 1 || options.Ssl || !string.IsNullOrEmpty(options.ServiceName) || options.Proxy != Proxy.None
            || options.Tunnel is not null || !ReferenceEquals(options.CommandMap, CommandMap.Default))
        {
            return null;
        }

        var address = options.EndPoints[0] switch
        {
            DnsEndPoint { Port: 0 } dns => new DnsEndPoint(dns.Host, 6379),
            IPEndPoint { Port: 0 } ip => new IPEndPoint(ip.Address, 6379),
            var other => other,
        };
        return new RespEndpoint(
            address,
            options.User,
            options.Password,
            options.DefaultDatabase ?? 0,
            TimeSpan.FromMilliseconds(options.ConnectTimeout > 0 ? options.ConnectTimeout : 5000),
            TimeSpan.FromMilliseconds(options.AsyncTimeout > 0 ? options.AsyncTimeout : 5000));
    }
}

/// <summary>
/// A Redis client for the dedupe store's few commands, made for the request path: one pipelined connection per client,
/// written from the caller's thread and read by one loop, so a command costs no thread hop beyond its reply. It
/// connects in the background and reconnects by itself; while it is not connected, a command fails at once (so a
/// push is refused quickly and WeChat retries).
/// </summary>
internal sealed class RespClient : IAsyncDisposable
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_lastRetry = TimeSpan.FromSeconds(2);
    private readonly RespEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _maintaining;
    private volatile RespConnection? _connection;
    private volatile Exception? _lastError;
    private volatile bool _attempted;
    private volatile bool _cluster;

    public RespClient(RespEndpoint endpoint, TimeProvider time)
    {
        _endpoint = endpoint;
        _time = time;
        _maintaining = Task.Run(MaintainAsync);
    }

    /// <summary>True while a connection is open.</summary>
    public bool IsConnected => _connection is { IsOpen: true };

    /// <summary>True once the first connection attempt has finished, successfully or not.</summary>
    public bool HasAttempted => _attempted;

    /// <summary>
    /// True once the server turned out to be a Redis Cluster node, which this client does not serve (it follows no
    /// redirections): it then stops connecting, and <see cref="RespDedupeRedis"/> goes through StackExchange.Redis.
    /// </summary>
    public bool IsCluster => _cluster;

    /// <summary>Sends a command over the open connection, or fails at once when there is none.</summary>
    public ValueTask<RespReply> ExecuteAsync(params ReadOnlySpan<RespArg> args)
    {
        var connection = _connection;
        if (connection is null || !connection.IsOpen)
        {
            return ValueTask.FromException<RespReply>(NotConnected());
        }

        return connection.ExecuteAsync(args);
    }

    /// <summary>
    /// Sends a command whose reply <paramref name="callback"/> takes on the read loop
    /// (<see cref="RespConnection.TryExecuteInBackground"/>); false, with nothing sent, when no connection is open.
    /// </summary>
    public bool TryExecuteInBackground(ReadOnlySpan<RespArg> args, IRespBackgroundReply callback, string key, object state) =>
        _connection is { } connection && connection.TryExecuteInBackground(args, callback, key, state);

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintaining.ConfigureAwait(false);
        if (_connection is { } connection)
        {
            // Commands already sent (the last done marks of a stopping host) get their replies first, within the
            // command timeout.
            await connection.DrainAsync(_endpoint.CommandTimeout).ConfigureAwait(false);
            connection.Close(new ObjectDisposedException(nameof(RespClient)));
        }

        _stopping.Dispose();
    }

    private RedisConnectionException NotConnected() => new(
        ConnectionFailureType.UnableToConnect,
        _attempted ? $"Redis at {_endpoint.Address} is not connected." : $"Redis at {_endpoint.Address} is still connecting.",
        _lastError);

    // Keeps one connection open: opens it, waits for it to close, opens it again (after a pause that doubles while
    // attempts fail). A failed attempt is kept as the cause of the errors commands meet meanwhile.
    private async Task MaintainAsync()
    {
        var pause = s_firstRetry;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                // The handshake's replies prove the server answers, so the pause starts over only then: a server that
                // accepts and closes at once is retried at the growing pace.
                var connection = await OpenAsync(_stopping.Token).ConfigureAwait(false);
                _connection = connection;
                _lastError = null;
                _attempted = true;
                pause = s_firstRetry;
                await connection.Closed.WaitAsync(_stopping.Token).ConfigureAwait(false);
                _lastError = connection.Failure;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _lastError = ex;
                _attempted = true;
                if (_cluster)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(pause, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            pause = pause * 2 > s_lastRetry ? s_lastRetry : pause * 2;
        }
    }

    private static async Task<string?> InfoAsync(RespConnection connection, string section)
    {
        var reply = await connection.ExecuteAsync(["INFO", section]).ConfigureAwait(false);
        return reply.Kind == RespKind.Bulk ? reply.Text : null;
    }

    private async Task<RespConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

        // An idle connection that a NAT or load balancer dropped silently is found by TCP keep-alive within about a
        // minute, not by the first push after it.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 4);
        RespConnection? connection = null;
        try
        {
            using (var timeout = new CancellationTokenSource(_endpoint.ConnectTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken))
            {
                try
                {
                    await socket.ConnectAsync(_endpoint.Address, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, $"Redis at {_endpoint.Address} did not accept a connection within {_endpoint.ConnectTimeout.TotalMilliseconds:F0} ms.");
                }
            }

            connection = new RespConnection(socket, _time, _endpoint.CommandTimeout);
            if (_endpoint.Password is { } password)
            {
                var auth = _endpoint.User is { } user
                    ? connection.ExecuteAsync(["AUTH", user, password])
                    : connection.ExecuteAsync(["AUTH", password]);
                (await auth.ConfigureAwait(false)).ThrowIfError();
            }

            // The store writes: the server must be a primary, and not a cluster node (whose redirections this client
            // does not follow). A server without these INFO sections answers an error or nothing useful, and is taken
            // as a plain primary.
            if (await InfoAsync(connection, "cluster").ConfigureAwait(false) is { } cluster && cluster.Contains("cluster_enabled:1", StringComparison.Ordinal))
            {
                _cluster = true;
                throw new RedisConnectionException(ConnectionFailureType.ProtocolFailure, $"Redis at {_endpoint.Address} is a cluster node; the dedupe store goes through StackExchange.Redis instead.");
            }

            if (await InfoAsync(connection, "replication").ConfigureAwait(false) is { } replication
                && (replication.Contains("role:slave", StringComparison.Ordinal) || replication.Contains("role:replica", StringComparison.Ordinal)))
            {
                throw new RedisConnectionException(ConnectionFailureType.ProtocolFailure, $"Redis at {_endpoint.Address} is a replica, which refuses the store's writes; connecting again until it is a primary.");
            }

            if (_endpoint.Database != 0)
            {
                (await connection.ExecuteAsync(["SELECT", _endpoint.Database]).ConfigureAwait(false)).ThrowIfError();
            }

            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                connection.Close(ex);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }
}
