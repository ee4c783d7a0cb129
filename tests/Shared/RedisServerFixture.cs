using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Garnet;
using StackExchange.Redis;

namespace WeChatHandlers.Tests.Shared;

/// <summary>
/// A real Redis-protocol server on a free loopback port, started for the test class and stopped afterwards.
/// By default it is Microsoft Garnet, in this process, so <c>dotnet test</c> needs only the .NET SDK. When the
/// environment variable <see cref="ServerVariable"/> names a <c>redis-server</c> executable (<c>.ci/run</c> sets it),
/// the same tests run against that real server instead, one process per fixture.
/// <see cref="StopAsync"/> and <see cref="StartAsync"/> take the server away and bring it back on the same port, empty,
/// as a Redis restart without persistence does: the fault tests use them.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    /// <summary>The variable naming a redis-server executable to test against instead of the in-process Garnet.</summary>
    public const string ServerVariable = "WECHATHANDLERS_TEST_REDIS_SERVER";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);
    private readonly string? _redisServer;
    private GarnetServer? _garnet;
    private Process? _process;
    private readonly StringBuilder _output = new();
    private int _port;

    /// <summary>The server named by <see cref="ServerVariable"/>, else the in-process Garnet.</summary>
    public RedisServerFixture()
        : this(Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } path ? path : null)
    {
    }

    /// <summary>A redis-server executable to run, or null for the in-process Garnet.</summary>
    internal RedisServerFixture(string? redisServer) => _redisServer = redisServer;

    /// <summary>A StackExchange.Redis configuration string for the server: <c>127.0.0.1:port</c>.</summary>
    public string Configuration => $"127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Which server the tests run against: <c>garnet</c> or <c>redis-server</c>.</summary>
    public string Kind => _redisServer is null ? "garnet" : "redis-server";

    /// <summary>True between <see cref="StartAsync"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => _garnet is not null || _process is { HasExited: false };

    public async Task InitializeAsync()
    {
        _port = FreeLoopbackPort();
        await StartAsync();
    }

    public Task DisposeAsync() => StopAsync();

    /// <summary>Starts the server on the fixture's port (again, after <see cref="StopAsync"/>), empty, and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var started = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_redisServer is null)
                {
                    StartGarnet();
                }
                else
                {
                    StartRedisServer();
                }

                await WaitForPingAsync();
                return;
            }
            catch (Exception ex) when (started.Elapsed < s_startTimeout && IsTransientStartFailure(ex))
            {
                // The port may still be held by the server just stopped (TIME_WAIT on a listener): try again, bounded.
                await StopAsync();
                await Task.Delay(100 * Math.Min(attempt, 5));
            }
        }
    }

    /// <summary>Stops the server: connections are refused until <see cref="StartAsync"/>. Nothing it held survives.</summary>
    public Task StopAsync()
    {
        var garnet = Interlocked.Exchange(ref _garnet, null);
        garnet?.Dispose();

        var process = Interlocked.Exchange(ref _process, null);
        if (process is not null)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit();
            process.Dispose();
        }

        return Task.CompletedTask;
    }

    private void StartGarnet()
    {
        try
        {
            var server = new GarnetServer(
                ["--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "true"]);
            server.Start();
            _garnet = server;
        }
        catch (Exception ex)
        {
            throw new FixtureStartException($"The in-process Garnet server could not start on 127.0.0.1:{_port}: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private void StartRedisServer()
    {
        if (!File.Exists(_redisServer))
        {
            throw new InvalidOperationException(
                $"{ServerVariable} names '{_redisServer}', which does not exist. Unset it to test against the in-process Garnet server, or install redis-server ('apt-get install -y redis-server').");
        }

        var start = new ProcessStartInfo(_redisServer!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        lock (_output)
        {
            _output.Clear();
        }

        var process = Process.Start(start) ?? throw new FixtureStartException($"Could not start {_redisServer}.", null);
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 8192)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitForPingAsync()
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (_process is { HasExited: true } exited)
            {
                exited.WaitForExit(); // drain the output handlers
                string output;
                lock (_output)
                {
                    output = _output.ToString();
                }

                bool portTaken = output.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
                var message = $"{_redisServer} exited with code {exited.ExitCode} before answering on {Configuration}. Its output:\n{output}";
                throw portTaken ? new PortInUseException(message) : new FixtureStartException(message, null);
            }

            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"{Configuration},connectTimeout=1000,abortConnect=true");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException ex) when (started.Elapsed < s_startTimeout)
            {
                _ = ex;
                await Task.Delay(50);
            }
            catch (RedisConnectionException ex)
            {
                throw new FixtureStartException($"The {Kind} server on {Configuration} did not answer PING within {s_startTimeout.TotalSeconds} s: {ex.Message}", ex);
            }
        }
    }

    private static bool IsTransientStartFailure(Exception ex)
        => ex is PortInUseException || ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The server could not be started: the message says what failed (exit code and output, or the exception).</summary>
    public class FixtureStartException(string message, Exception? inner) : Exception(message, inner);

    private sealed class PortInUseException(string message) : FixtureStartException(message, null);
}
