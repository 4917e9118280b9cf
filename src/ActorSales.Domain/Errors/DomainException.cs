namespace ActorSales.Domain.Errors;

/// <summary>
/// Base of every rule violation a caller can act on. The gateway maps each subtype to one gRPC status; the
/// message is written for a front-end developer and never contains internals.
/// </summary>
[GenerateSerializer, Alias("actorsales.DomainException")]
public abstract class DomainException(string message) : Exception(message);

/// <summary>A field of the request is malformed or out of range (gRPC INVALID_ARGUMENT).</summary>
[GenerateSerializer, Alias("actorsales.ValidationException")]
public sealed class ValidationException(string field, string problem) : DomainException($"{field}: {problem}")
{
    [Id(0)] public string Field { get; } = field;
}

/// <summary>The addressed entity does not exist (gRPC NOT_FOUND).</summary>
[GenerateSerializer, Alias("actorsales.NotFoundException")]
public sealed class NotFoundException(string entity, string id) : DomainException($"{entity} '{id}' was not found")
{
    [Id(0)] public string Entity { get; } = entity;
    [Id(1)] public string EntityId { get; } = id;
}

/// <summary>The caller may not do this (gRPC PERMISSION_DENIED).</summary>
[GenerateSerializer, Alias("actorsales.AccessDeniedException")]
public sealed class AccessDeniedException(string message) : DomainException(message);

/// <summary>The entity to create already exists (gRPC ALREADY_EXISTS).</summary>
[GenerateSerializer, Alias("actorsales.AlreadyExistsException")]
public sealed class AlreadyExistsException(string message, string existingId, string? existingOwnerId = null) : DomainException(message)
{
    [Id(0)] public string ExistingId { get; } = existingId;
    [Id(1)] public string? ExistingOwnerId { get; } = existingOwnerId;
}

/// <summary>The entity is not in a state that allows this (gRPC FAILED_PRECONDITION).</summary>
[GenerateSerializer, Alias("actorsales.PreconditionFailedException")]
public class PreconditionFailedException(string message) : DomainException(message);

/// <summary>The caller's expected version is stale, or a concurrent writer won (gRPC ABORTED).</summary>
[GenerateSerializer, Alias("actorsales.ConcurrencyConflictException")]
public sealed class ConcurrencyConflictException(string message) : DomainException(message)
{
    public static ConcurrencyConflictException StaleVersion(string entity, string id, long expected, long actual) =>
        new($"{entity} '{id}' is at version {actual}, not the expected {expected}; re-read and retry");

    public static ConcurrencyConflictException ConcurrentWrite(string entity, string id) =>
        new($"{entity} '{id}' was changed concurrently; re-read and retry");
}
