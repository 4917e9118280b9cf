using ActorSales.Contracts.V1;
using Google.Protobuf.Reflection;

namespace ActorSales.Gateway.Identity;

/// <summary>
/// Which RPCs change state, read from the API contract: an RPC changes state unless its proto declares
/// <c>option idempotency_level = NO_SIDE_EFFECTS</c>. The freeze of a departing account follows this, so a new RPC is
/// frozen by default and only a declared read can let a frozen account through.
/// </summary>
public static class RpcSideEffects
{
    /// <summary>Every service of the API contract (each compiled proto file's services).</summary>
    public static IReadOnlyList<ServiceDescriptor> Services { get; } = typeof(CustomersService).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(CustomersService).Namespace && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
        .SelectMany(t => ((FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!).Services)
        .ToList();

    private static readonly HashSet<string> Reads = Services
        .SelectMany(s => s.Methods)
        .Where(m => m.GetOptions()?.IdempotencyLevel == MethodOptions.Types.IdempotencyLevel.NoSideEffects)
        .Select(m => $"/{m.Service.FullName}/{m.Name}")
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether the RPC at <paramref name="method"/> ("/package.Service/Method") may change state.</summary>
    public static bool Changes(string method) => !Reads.Contains(method);
}
