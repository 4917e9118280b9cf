using ActorSales.Contracts.V1;
using Google.Protobuf.Reflection;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Every RPC of the API contract, found by reflection over the compiled protos, so a service added to protos/ is swept
/// by the hostile-input and freeze tests without anyone remembering to list it.
/// </summary>
public static class ApiSurface
{
    public static IReadOnlyList<FileDescriptor> Files { get; } = typeof(CustomersReflection).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(CustomersReflection).Namespace && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
        .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
        .OrderBy(f => f.Name, StringComparer.Ordinal)
        .ToList();

    public static IEnumerable<MethodDescriptor> UnaryMethods() =>
        Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Where(m => !m.IsClientStreaming && !m.IsServerStreaming);

    /// <summary>Whether the proto declares the RPC free of side effects (a read).</summary>
    public static bool IsRead(MethodDescriptor method) =>
        method.GetOptions()?.IdempotencyLevel == MethodOptions.Types.IdempotencyLevel.NoSideEffects;
}
