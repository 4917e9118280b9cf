using ActorSales.Benchmarks.Echo;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorSales.Benchmarks.Baselines;

/// <summary>
/// The bare grpc-dotnet baseline: Kestrel h2c on loopback exactly as the host listens (HTTP/2 only, default limits),
/// the same 1 MiB receive limit, no auth, no Orleans, a fixed response of the host's response size.
/// </summary>
public static class EchoServer
{
    public static WebApplication Build(int port, int responseBytes)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.WebHost.UseUrls();
        builder.Services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            o.MaxReceiveMessageSize = 1024 * 1024;
        });
        builder.Services.AddSingleton(new EchoResponse { Payload = ByteString.CopyFrom(new byte[responseBytes]) });
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        return app;
    }

    private sealed class EchoService(EchoResponse response) : Echo.EchoService.EchoServiceBase
    {
        public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) => Task.FromResult(response);
    }
}
