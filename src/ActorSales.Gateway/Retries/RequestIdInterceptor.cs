using System.Security.Cryptography;
using System.Text;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ActorSales.Gateway.Retries;

/// <summary>
/// Reads the optional <c>request_id</c> of a changing RPC (any request message with that field) before the service
/// runs: checks its length and fingerprints the request without it, so <see cref="ClientRequestOf"/> can name the
/// change for the grain that applies it. The grain answers a repeat from its request ledger.
/// </summary>
public sealed class RequestIdInterceptor : Interceptor
{
    private const string FieldName = "request_id";
    private static readonly object Slot = new();

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message && message.Descriptor.FindFieldByName(FieldName) is { } field
            && field.Accessor.GetValue(message) is string { Length: > 0 } requestId)
        {
            if (requestId.Length > ClientRequest.MaxIdLength || string.IsNullOrWhiteSpace(requestId))
            {
                throw new ValidationException(FieldName, $"must be 1-{ClientRequest.MaxIdLength} characters and not blank");
            }
            var body = message.Descriptor.Parser.ParseFrom(message.ToByteString());
            field.Accessor.Clear(body);
            context.UserState[Slot] = new NamedRequest(requestId, Hash(body.ToByteArray()));
        }
        return continuation(request, context);
    }

    /// <summary>The change request of this call for <paramref name="userId"/>, or null if the client named none.</summary>
    public static ClientRequest? ClientRequestOf(ServerCallContext context, string userId) =>
        context.UserState.TryGetValue(Slot, out var value) && value is NamedRequest named
            ? new ClientRequest(Hash(Encoding.UTF8.GetBytes($"{userId}\n{context.Method}\n{named.RequestId}")), named.BodyHash)
            : null;

    /// <summary>
    /// The change request of one message of a client stream (an import row) that names its own <c>request_id</c>:
    /// keyed like a unary request, so re-sending the row is answered by the record it made.
    /// </summary>
    public static ClientRequest? ClientRequestOfItem(ServerCallContext context, string userId, IMessage item)
    {
        if (item.Descriptor.FindFieldByName(FieldName) is not { } field || field.Accessor.GetValue(item) is not string { Length: > 0 } requestId)
        {
            return null;
        }
        if (requestId.Length > ClientRequest.MaxIdLength || string.IsNullOrWhiteSpace(requestId))
        {
            throw new ValidationException(FieldName, $"must be 1-{ClientRequest.MaxIdLength} characters and not blank");
        }
        var body = item.Descriptor.Parser.ParseFrom(item.ToByteString());
        field.Accessor.Clear(body);
        return new ClientRequest(Hash(Encoding.UTF8.GetBytes($"{userId}\n{context.Method}\n{requestId}")), Hash(body.ToByteArray()));
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..32];

    private sealed record NamedRequest(string RequestId, string BodyHash);
}
