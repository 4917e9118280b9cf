using ActorSales.Domain.Identity;
using ActorSales.Domain.Orders;
using ActorSales.Grains.Abstractions.Events;

namespace ActorSales.Grains.Orders;

[GenerateSerializer, Alias("actorsales.OrderState")]
public sealed class OrderState : Effects.IEffectsState, IOrderState, IRequestLedgerState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string CustomerId { get; set; } = string.Empty;
    [Id(2)] public string OwnerId { get; set; } = string.Empty;
    [Id(3)] public string TeamId { get; set; } = string.Empty;
    [Id(4)] public string Currency { get; set; } = string.Empty;
    [Id(5)] public List<OrderLine> Lines { get; set; } = [];
    [Id(6)] public decimal Total { get; set; }
    [Id(7)] public PaymentTerms Terms { get; set; }
    [Id(8)] public List<Instalment> Plan { get; set; } = [];
    [Id(9)] public List<Payment> Payments { get; set; } = [];
    [Id(10)] public OrderStatus Status { get; set; }
    [Id(11)] public string? CancelReason { get; set; }
    [Id(12)] public DateTimeOffset CreatedAt { get; set; }
    [Id(13)] public string CreatedBy { get; set; } = string.Empty;

    /// <summary>Also the sequence of the order's latest domain event.</summary>
    [Id(14)] public long Version { get; set; }

    /// <summary>Firing keys of the instalment deadlines already acted on (exactly once per instalment and due time).</summary>
    [Id(15)] public HashSet<string> Fired { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(16)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Follow-ups of stored changes (notifications) not yet applied.</summary>
    [Id(17)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>When the deadline reminder is registered for (null: none).</summary>
    [Id(18)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(19)] public RequestLedger Requests { get; set; } = new();
}
