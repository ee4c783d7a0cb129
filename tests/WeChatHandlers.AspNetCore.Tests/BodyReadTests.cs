using System.IO.Compression;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore.Tests;

/// <summary>The request body read from the request's pipe: whole however it arrives, and bounded by MaxBodySize.</summary>
public class BodyReadTests
{
    [Theory]
    [InlineData(0, 16_000, true)]
    [InlineData(1, 16_000, true)]
    [InlineData(15_000, 16_000, true)]
    [InlineData(15_000, 15_000, true)]
    [InlineData(15_000, 14_999, false)]
    [InlineData(4096, 4096, true)]
    [InlineData(4097, 4096, false)]
    public async Task A_body_arriving_in_pieces_is_read_whole_up_to_the_limit_and_refused_past_it(int size, int limit, bool accepted)
    {
        byte[] expected = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        var pipe = new Pipe();

        // Pieces of 3,000 bytes. Only the first is in the pipe when the read starts, so the read takes it alone and
        // waits: the rest arrive in later reads, and the array grows past its first 4 KB while holding what came.
        int first = Math.Min(3000, size);
        await pipe.Writer.WriteAsync(expected.AsMemory(0, first));
        var reading = PooledBuffer.ReadAsync(pipe.Reader, limit, CancellationToken.None).AsTask();
        for (int at = first; at < size; at += 3000)
        {
            await pipe.Writer.WriteAsync(expected.AsMemory(at, Math.Min(3000, size - at)));
        }

        await pipe.Writer.CompleteAsync();
        var read = await reading;
        if (!accepted)
        {
            Assert.Null(read);
            return;
        }

        var body = Assert.IsType<PooledBuffer>(read);
        Assert.Equal(expected, body.Memory.ToArray());
        body.Release();
    }

    [Fact]
    public async Task A_body_read_that_fails_passes_the_failure_on()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[100]);
        await pipe.Writer.CompleteAsync(new IOException("The client reset the connection."));

        var failure = await Assert.ThrowsAsync<IOException>(async () => await PooledBuffer.ReadAsync(pipe.Reader, 16_000, CancellationToken.None));
        Assert.Equal("The client reset the connection.", failure.Message);
    }

    [Fact]
    public async Task A_chunked_signed_push_sent_in_pieces_over_kestrel_runs_its_handler_once()
    {
        await using var app = await TestApp.StartAsync();
        string timestamp = "1714037059", nonce = "88";
        string signature = WeChatSignature.ComputeSignature(TestApp.Token, timestamp, nonce);
        // Well past one chunk and the first 4 KB: an element the text message does not read pads it to 9 KB.
        string xml = TestApp.TextXml("hello", 4242).Replace("</xml>", $"<Padding>{new string('x', 9000)}</Padding></xml>", StringComparison.Ordinal);
        byte[] body = Encoding.UTF8.GetBytes(xml);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}")
        {
            Content = new PiecesContent(body, 1000),
        };
        request.Headers.TransferEncodingChunked = true;

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("success", await response.Content.ReadAsStringAsync());
        var call = Assert.Single(app.Probe.Calls);
        Assert.Equal("Hello", call.Handler);
        Assert.StartsWith("hello|o9AgO5Kd5ggOC-bXrbNODIiE3bGY|", call.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_middleware_replaces_is_the_body_the_endpoint_reads()
    {
        // Request decompression swaps Request.Body for a decompressing stream: the endpoint reads through BodyReader,
        // which follows the swap, so the handler sees the decompressed push.
        await using var app = await TestApp.StartAsync(services: s =>
        {
            s.AddRequestDecompression();
            s.AddTransient<IStartupFilter, DecompressFirst>();
        });
        string timestamp = "1714037059", nonce = "89";
        string signature = WeChatSignature.ComputeSignature(TestApp.Token, timestamp, nonce);
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(TestApp.TextXml("hello", 4343)));
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("text/xml");
        content.Headers.ContentEncoding.Add("gzip");
        var response = await app.Client.PostAsync($"/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(app.Probe.Calls);
        Assert.Equal("Hello", call.Handler);
        Assert.StartsWith("hello|", call.Detail, StringComparison.Ordinal);
    }

    private sealed class DecompressFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseRequestDecompression();
            next(app);
        };
    }

    /// <summary>Writes its bytes in pieces, flushing each: the server receives the body in several chunks.</summary>
    private sealed class PiecesContent(byte[] bytes, int piece) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int at = 0; at < bytes.Length; at += piece)
            {
                await stream.WriteAsync(bytes.AsMemory(at, Math.Min(piece, bytes.Length - at)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
