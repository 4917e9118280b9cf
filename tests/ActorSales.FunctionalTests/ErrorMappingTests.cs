using ActorSales.Domain.Errors;
using ActorSales.Gateway.Errors;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorSales.FunctionalTests;

/// <summary>The interceptor alone, with a test ServerCallContext: every exception becomes one status, none leaks.</summary>
public sealed class ErrorMappingTests
{
    private readonly ErrorMappingInterceptor _interceptor = new(NullLogger<ErrorMappingInterceptor>.Instance);

    public static TheoryData<Exception, StatusCode> Cases => new()
    {
        { new ValidationException("name", "is required"), StatusCode.InvalidArgument },
        { new NotFoundException("customer", "c1"), StatusCode.NotFound },
        { new AccessDeniedException("no"), StatusCode.PermissionDenied },
        { new AlreadyExistsException("dup", "c1", "o1"), StatusCode.AlreadyExists },
        { new PreconditionFailedException("not now"), StatusCode.FailedPrecondition },
        { ConcurrencyConflictException.StaleVersion("customer", "c1", 1, 2), StatusCode.Aborted },
        { new Orleans.Storage.InconsistentStateException("etag mismatch with secret table name"), StatusCode.Aborted },
        { new TimeoutException("silo xyz at 10.0.0.1 timed out"), StatusCode.Unavailable },
        { new InvalidOperationException("Npgsql: password authentication failed for user postgres"), StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_exception_maps_to_one_status_and_internals_never_reach_the_caller(Exception exception, StatusCode expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _interceptor.UnaryServerHandler<string, string>("request", new TestCallContext(), (_, _) => throw exception));

        Assert.Equal(expected, error.StatusCode);
        if (exception is DomainException)
        {
            Assert.Equal(exception.Message, error.Status.Detail);
        }
        else
        {
            Assert.DoesNotContain(exception.Message, error.Status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", error.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unavailable_is_a_warning_without_a_stack_and_internal_errors_are_errors_with_one()
    {
        var logger = new RecordingLogger();
        var interceptor = new ErrorMappingInterceptor(logger);
        await Assert.ThrowsAsync<RpcException>(() =>
            interceptor.UnaryServerHandler<string, string>("request", new TestCallContext(), (_, _) => throw new TimeoutException("silo timed out")));
        await Assert.ThrowsAsync<RpcException>(() =>
            interceptor.UnaryServerHandler<string, string>("request", new TestCallContext(), (_, _) => throw new InvalidOperationException("bug")));

        Assert.Equal(
            [(Microsoft.Extensions.Logging.LogLevel.Warning, false), (Microsoft.Extensions.Logging.LogLevel.Error, true)],
            logger.Records.Select(r => (r.Level, r.HasException)));
        Assert.Contains("TimeoutException", logger.Records[0].Message, StringComparison.Ordinal);
    }

    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger<ErrorMappingInterceptor>
    {
        public List<(Microsoft.Extensions.Logging.LogLevel Level, bool HasException, string Message)> Records { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Records.Add((logLevel, exception is not null, formatter(state, exception)));
    }

    private sealed class TestCallContext : ServerCallContext
    {
        private readonly HttpContext _http = new DefaultHttpContext { TraceIdentifier = "trace-1" };

        public TestCallContext() => UserState["__HttpContext"] = _http;

        protected override string MethodCore => "/actorsales.v1.CustomersService/GetCustomer";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);
        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();
        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
