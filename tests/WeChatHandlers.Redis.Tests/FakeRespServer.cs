using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WeChatHandlers.Redis.Tests;

/// <summary>
/// A scripted Redis-protocol server on a loopback port: records every command it receives and answers each with what
/// <see cref="Answer"/> returns (raw RESP; null leaves the command unanswered). <see cref="DropClients"/> closes every
/// accepted connection, as a server restart does.
/// </summary>
internal sealed class FakeRespServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _connections;

    public FakeRespServer(Func<string[], string?> answer)
    {
        Answer = answer;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Func<string[], string?> Answer { get; set; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Every command received, in order, over all connections.</summary>
    public ConcurrentQueue<string[]> Commands { get; } = new();

    /// <summary>What the server could not read as RESP commands (the tests expect none).</summary>
    public ConcurrentQueue<string> Faults { get; } = new();

    /// <summary>Writes raw RESP to every open connection: the answers to commands left unanswered.</summary>
    public async Task SendToClientsAsync(string raw)
    {
        foreach (var client in _clients)
        {
            await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(raw));
        }
    }

    /// <summary>How many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void DropClients()
    {
        while (_clients.TryTake(out var client))
        {
            client.Client.Close(0);
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropClients();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            Interlocked.Increment(ref _connections);
            _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(_stopping.Token) is { } header)
            {
                if (!header.StartsWith('*'))
                {
                    Faults.Enqueue($"a command starts with '{header}', not an array header");
                    return;
                }

                var command = new string[int.Parse(header.AsSpan(1))];
                for (int i = 0; i < command.Length; i++)
                {
                    string length = (await reader.ReadLineAsync(_stopping.Token))!;
                    command[i] = (await reader.ReadLineAsync(_stopping.Token))!;
                    if (!length.StartsWith('$') || int.Parse(length.AsSpan(1)) != Encoding.UTF8.GetByteCount(command[i]))
                    {
                        Faults.Enqueue($"argument '{command[i]}' is announced as '{length}'");
                    }
                }

                Commands.Enqueue(command);
                if (Answer(command) is { } reply)
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(reply), _stopping.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The connection was dropped by the test or by the client: nothing more to serve.
        }
    }
}
