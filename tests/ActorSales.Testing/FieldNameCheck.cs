using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ActorSales.Testing;

/// <summary>
/// Client-side check on every call a test makes through <see cref="TestHost.Channel"/>: an INVALID_ARGUMENT must
/// start with "field: ", and that field (or any other status's leading "field: ") must be a field path of the request
/// the client sent, as the client spells it. A violation is thrown in place of the status as a
/// <see cref="FieldNameViolationException"/>, which is no <see cref="RpcException"/>: neither <c>catch (RpcException)</c>
/// nor <c>Assert.ThrowsAsync&lt;RpcException&gt;</c> absorbs it, so the test that met it fails with the reason.
/// </summary>
public sealed class FieldNameCheck : Interceptor
{
    /// <summary>Why the status does not name a field of <paramref name="request"/>, or null when it does (or need not).</summary>
    public static string? Problem(IMessage request, Status status)
    {
        var path = FieldPaths.LeadingPath(status.Detail);
        if (path is null)
        {
            return status.StatusCode == StatusCode.InvalidArgument
                ? $"INVALID_ARGUMENT \"{status.Detail}\" does not start with the field it is about (\"field: problem\")"
                : null;
        }
        return FieldPaths.TryResolve(request.Descriptor, path, out var problem)
            ? null
            : $"{status.StatusCode} \"{status.Detail}\" names no field of {request.Descriptor.FullName}: {problem}";
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        try
        {
            return continuation(request, context);
        }
        catch (RpcException exception) when (Violation(request, context.Method, exception) is { } violation)
        {
            throw violation;
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(Checked(call.ResponseAsync, request, context.Method),
            call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        return new AsyncServerStreamingCall<TResponse>(new CheckedReader<TRequest, TResponse>(call.ResponseStream, request, context.Method),
            call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    // The API has no client-streaming or duplex RPCs; should one appear, its request messages arrive one by one and
    // the check would have to remember them. Until then those calls pass unchecked.

    private static async Task<TResponse> Checked<TRequest, TResponse>(Task<TResponse> response, TRequest request, IMethod method)
    {
        try
        {
            return await response;
        }
        catch (RpcException exception) when (Violation(request, method, exception) is { } violation)
        {
            throw violation;
        }
    }

    private static FieldNameViolationException? Violation<TRequest>(TRequest request, IMethod method, RpcException exception) =>
        request is IMessage message && Problem(message, exception.Status) is { } problem
            ? new FieldNameViolationException($"{method.FullName}: {problem}", exception)
            : null;

    private sealed class CheckedReader<TRequest, TResponse>(IAsyncStreamReader<TResponse> inner, TRequest request, IMethod method)
        : IAsyncStreamReader<TResponse>
    {
        public TResponse Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.MoveNext(cancellationToken);
            }
            catch (RpcException exception) when (Violation(request, method, exception) is { } violation)
            {
                throw violation;
            }
        }
    }
}

/// <summary>An error status that names no field of the request (see <see cref="FieldNameCheck"/>); the status is the inner exception.</summary>
public sealed class FieldNameViolationException(string message, RpcException status) : Exception(message, status);
