using System.Diagnostics;
using ActorSales.Domain.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace ActorSales.Gateway.Errors;

/// <summary>
/// The one place exceptions become gRPC statuses. Domain exceptions carry messages written for callers; anything
/// else is logged with a reference id and reaches the caller only as that reference, never as exception text.
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Map(exception, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Map(exception, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Map(exception, context);
        }
    }

    /// <summary>The status for an exception; public so the mapping is unit-testable.</summary>
    public RpcException Map(Exception exception, ServerCallContext context)
    {
        var reference = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext()?.TraceIdentifier ?? "none";
        var status = exception switch
        {
            ValidationException e => new Status(StatusCode.InvalidArgument, e.Message),
            NotFoundException e => new Status(StatusCode.NotFound, e.Message),
            AccessDeniedException e => new Status(StatusCode.PermissionDenied, e.Message),
            AlreadyExistsException e => new Status(StatusCode.AlreadyExists, e.Message),
            PreconditionFailedException e => new Status(StatusCode.FailedPrecondition, e.Message),
            ConcurrencyConflictException e => new Status(StatusCode.Aborted, e.Message),
            InconsistentStateException => new Status(StatusCode.Aborted, "the record was changed concurrently; re-read and retry"),
            OperationCanceledException when context.CancellationToken.IsCancellationRequested => new Status(StatusCode.Cancelled, "the call was cancelled"),
            TimeoutException or SiloUnavailableException or OrleansMessageRejectionException =>
                new Status(StatusCode.Unavailable, $"the service is busy or restarting; retry shortly (ref {reference})"),
            _ => new Status(StatusCode.Internal, $"internal error (ref {reference})"),
        };
        if (status.StatusCode is StatusCode.Internal)
        {
            LogUnexpected(exception, context.Method, status.StatusCode, reference);
        }
        else if (status.StatusCode is StatusCode.Unavailable)
        {
            // Expected while a silo is lost or restarting, and the client retries: a warning naming the cause, no stack.
            LogUnavailable(context.Method, exception.GetType().Name, exception.Message, reference);
        }
        else if (exception is DomainException)
        {
            LogRejected(context.Method, status.StatusCode, exception.Message);
        }
        return new RpcException(status);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed with {StatusCode} (ref {Reference})")]
    private partial void LogUnexpected(Exception exception, string method, StatusCode statusCode, string reference);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} answered UNAVAILABLE after {ExceptionType}: {Reason} (ref {Reference})")]
    private partial void LogUnavailable(string method, string exceptionType, string reason, string reference);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} rejected with {StatusCode}: {Reason}")]
    private partial void LogRejected(string method, StatusCode statusCode, string reason);
}
