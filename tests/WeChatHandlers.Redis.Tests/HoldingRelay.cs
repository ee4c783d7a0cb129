using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WeChatHandlers.Redis.Tests;

/// <summary>
/// A loopback TCP relay in front of a Redis-protocol server that can stop passing its clients' bytes on
/// (<see cref="Hold"/>): from then on what a client writes is kept here, never delivered, as the commands still on
/// their way when a process dies. The server's replies keep flowing back.
/// </summary>
internal sealed class HoldingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _sockets = [];
    private readonly List<Task> _pumps = [];
    private readonly MemoryStream _held = new();
    private readonly SemaphoreSlim _heldMore = new(0);
    private readonly Task _accepting;
    private volatile bool _holding;

    /// <summary>Relays to <paramref name="target"/>, a <c>host:port</c> configuration string.</summary>
    public HoldingRelay(string target)
    {
        int colon = target.LastIndexOf(':');
        _targetHost = target[..colon];
        _targetPort = int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Configuration => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>From now on, bytes the clients write are kept here instead of reaching the server.</summary>
    public void Hold() => _holding = true;

    /// <summary>Waits until the bytes held since <see cref="Hold"/> contain <paramref name="text"/>.</summary>
    public async Task WaitHeldAsync(string text, TimeSpan guard)
    {
        using var timeout = new CancellationTokenSource(guard);
        while (!HeldText().Contains(text, StringComparison.Ordinal))
        {
            try
            {
                await _heldMore.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The relay never held '{Escape(text)}'; it held '{Escape(HeldText())}'.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        await _accepting;
        Task[] pumps;
        lock (_sockets)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps);
        _stopping.Dispose();
    }

    private string HeldText()
    {
        lock (_held)
        {
            return Encoding.UTF8.GetString(_held.GetBuffer(), 0, (int)_held.Length);
        }
    }

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The relay is being disposed.
                return;
            }

            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // The relay is being disposed, or the server is not there: the client sees its connection closed, as it
                // would with no relay in between.
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
                _pumps.Add(PumpAsync(client, server, fromClient: true));
                _pumps.Add(PumpAsync(server, client, fromClient: false));
            }
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool fromClient)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                int read = await from.GetStream().ReadAsync(buffer, _stopping.Token);
                if (read == 0)
                {
                    to.Client.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (fromClient && _holding)
                {
                    lock (_held)
                    {
                        _held.Write(buffer, 0, read);
                    }

                    _heldMore.Release();
                    continue;
                }

                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side went away (the client was killed, or the relay is being disposed): so does the other.
            from.Dispose();
            to.Dispose();
        }
    }
}
