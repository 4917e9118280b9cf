using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ActorSales.Grains.Infrastructure;

/// <summary>
/// Which grain may call which (by grain type, e.g. "customer"), so calls run one way and two non-reentrant grains never
/// wait on each other. A grain may always call itself and any grain type outside this table (Orleans' own); the
/// gateway and Orleans' runtime may call any grain. Calls to <see cref="AlwaysInterleaveAttribute"/> methods (reads
/// that run even while their grain is busy) cannot stall and may go either way. README shows the same graph.
/// </summary>
public static class CallGraph
{
    public static IReadOnlyDictionary<string, string[]> MayCall { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["handover"] = ["customer", "opportunity", "salesperson", "book", "team", "notificationinbox"],
        ["salesperson"] = ["customer", "opportunity", "book", "team", "delegators", "pendingapprovals", "notificationinbox"],
        ["opportunity"] = ["customer", "book", "team", "approval", "departmenttask", "pipeline", "notificationinbox"],
        ["customer"] = ["book", "team", "publicpool", "dedupindex", "customeractivitychunk", "notificationinbox"],
        ["approval"] = ["pendingapprovals", "notificationinbox"],
        ["publicpool"] = ["team"],
        ["departmenttask"] = ["departmentqueue", "notificationinbox"],
        ["team"] = ["region", "notificationinbox"],
        ["order"] = ["opportunity", "customer", "team", "notificationinbox"],
        ["lead"] = ["customer", "team", "salesperson", "dedupindex", "leadindex", "notificationinbox"],
        ["leadindex"] = [],
        ["pipeline"] = ["pipelinecatalog"],
        ["commissionstatements"] = ["salesperson", "commissionplan", "pipeline", "commissionperiodindex"],
        ["commissionplan"] = [],
        ["commissionperiodindex"] = [],
        ["book"] = [],
        ["pendingapprovals"] = [],
        ["delegators"] = [],
        ["dedupindex"] = [],
        ["region"] = [],
        ["departmentqueue"] = [],
        ["notificationinbox"] = [],
        ["customeractivitychunk"] = [],
        ["pipelinecatalog"] = [],
        ["streamqueuecheckpoint"] = [],
    };

    /// <summary>Whether a call from grain type <paramref name="from"/> to <paramref name="to"/> runs the declared way.</summary>
    public static bool Allows(string from, string to) =>
        from == to || !MayCall.ContainsKey(from) || !MayCall.ContainsKey(to) || MayCall[from].Contains(to, StringComparer.Ordinal);
}

/// <summary>The calls against <see cref="CallGraph"/> a silo has refused (read by the test clusters).</summary>
public sealed class CallDirectionViolations
{
    private readonly ConcurrentQueue<string> _seen = new();

    public IReadOnlyCollection<string> Seen => _seen;

    internal void Add(string call) => _seen.Enqueue(call);
}

/// <summary>
/// Refuses a grain-to-grain call against <see cref="CallGraph"/>: it fails, is logged as an error and recorded in
/// <see cref="CallDirectionViolations"/>. Installed by every test cluster; a host may switch it on
/// (<c>ActorSales:CheckCallDirection</c>).
/// </summary>
public sealed partial class CallDirectionFilter(CallDirectionViolations violations, ILogger<CallDirectionFilter> logger) : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> Interleaving = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.SourceId is { } source && context.InterfaceMethod is { } method)
        {
            var from = source.Type.ToString()!;
            var to = context.TargetId.Type.ToString()!;
            if (!CallGraph.Allows(from, to)
                && !Interleaving.GetOrAdd(method, m => m.GetCustomAttribute<AlwaysInterleaveAttribute>() is not null))
            {
                var call = $"{from} -> {to}.{context.MethodName}";
                violations.Add(call);
                LogViolation(call);
                throw new InvalidOperationException($"grain call against the declared direction: {call}");
            }
        }
        return context.Invoke();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain call against the declared direction: {Call}")]
    private partial void LogViolation(string call);
}

public static class CallDirectionExtensions
{
    /// <summary>Checks every incoming grain call against <see cref="CallGraph"/>.</summary>
    public static IServiceCollection AddCallDirectionCheck(this IServiceCollection services)
    {
        services.AddSingleton<CallDirectionViolations>();
        services.AddSingleton<IIncomingGrainCallFilter, CallDirectionFilter>();
        return services;
    }
}
