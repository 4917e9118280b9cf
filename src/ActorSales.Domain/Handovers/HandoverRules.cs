using System.Globalization;
using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.People;

namespace ActorSales.Domain.Handovers;

/// <summary>Where one receiver's package stands.</summary>
public enum PackageStatus
{
    Unspecified = 0,
    /// <summary>Addressed to the receiver, waiting for acceptance (the 24 h reminder and 48 h escalation run).</summary>
    Pending = 1,
    /// <summary>Accepted (or bound for the pool): its items are moving to the receiver one by one.</summary>
    Transferring = 2,
    /// <summary>Every item moved; the receiver owns the whole package.</summary>
    Transferred = 3,
    /// <summary>The receiver declined with a reason; the manager reassigns its items.</summary>
    Rejected = 4,
}

/// <summary>What kind of record a package item is.</summary>
public enum HandoverItemKind
{
    Unspecified = 0,
    Customer = 1,
    Opportunity = 2,
}

/// <summary>Handover settings (section "ActorSales:Handovers").</summary>
public sealed class HandoverOptions
{
    /// <summary>A receiver must accept within this time; then the manager is told and may reassign.</summary>
    public TimeSpan AcceptWithin { get; set; } = TimeSpan.FromHours(48);

    /// <summary>A receiver who has not accepted after this time is reminded.</summary>
    public TimeSpan RemindAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Items moved per grain turn; other calls interleave between batches and each batch's progress is persisted.</summary>
    public int TransferBatchSize { get; set; } = 50;

    /// <summary>
    /// How long a completed handover's packages stay in their receivers' lists (ListMyHandoverPackages); then they
    /// leave those lists and each package keeps only its counts, not its item list.
    /// </summary>
    public TimeSpan CompletedRetention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Departure handover rules: who gets what, when reads of a frozen account end, and the acceptance deadlines. Pure
/// functions of their inputs; the handover grain orchestrates.
/// </summary>
public static class HandoverRules
{
    public const string Reminder = "handover-accept-reminder";
    public const string Escalation = "handover-accept-escalation";

    /// <summary>The process deadline: while items wait to move, the handover grain keeps one wake-up due.</summary>
    public const string Transfer = "handover-transfer";

    /// <summary>The retention deadline: a completed handover's packages leave their receivers' lists.</summary>
    public const string Prune = "handover-prune";

    /// <summary>The package receiver id meaning "the leaver's team pool".</summary>
    public const string Pool = "";

    /// <summary>At most this many explicit per-customer assignments in one request.</summary>
    public const int MaxAssignments = 10_000;

    /// <summary>Parses an optional ISO date ("2026-12-31") naming the leaver's last working day.</summary>
    public static DateOnly? ParseLastWorkingDay(string? value, DateTimeOffset now)
    {
        var text = Guard.Optional(value, "last_working_day", 10);
        if (text.Length == 0)
        {
            return null;
        }
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            throw new ValidationException("last_working_day", "must be an ISO date such as \"2026-12-31\"");
        }
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (day < today.AddDays(-30) || day > today.AddDays(366))
        {
            throw new ValidationException("last_working_day", "must lie within 30 days before and a year after today");
        }
        return day;
    }

    /// <summary>
    /// When reads of the leaver's own book end: the end (local midnight) of the last working day in the team's time
    /// zone; without a last working day, the end of today.
    /// </summary>
    public static DateTimeOffset ReadsUntil(DateOnly? lastWorkingDay, TimeZoneInfo zone, DateTimeOffset now)
    {
        var day = lastWorkingDay ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var endLocal = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(endLocal, zone.GetUtcOffset(endLocal));
    }

    /// <summary>Whether a departing account may still read its own book at <paramref name="now"/>.</summary>
    public static bool ReadsOwnBook(SalespersonStatus status, DateTimeOffset? readsUntil, DateTimeOffset now) =>
        status == SalespersonStatus.Departing && readsUntil is { } until && now < until;

    /// <summary>Validates explicit per-customer assignments: ids well-formed, no customer twice, never the leaver.</summary>
    public static IReadOnlyDictionary<string, string> ValidateAssignments(
        string leaverId, IReadOnlyCollection<(string CustomerId, string ReceiverId)> assignments)
    {
        if (assignments.Count > MaxAssignments)
        {
            throw new ValidationException("assignments", $"at most {MaxAssignments} are allowed");
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var (customerId, receiverId) in assignments)
        {
            var entryField = $"assignments[{i++}]";
            var customer = Guard.Id(customerId, entryField + ".customer_id");
            var receiver = receiverId.Length == 0 ? Pool : Guard.Id(receiverId, entryField + ".receiver_id");
            if (receiver == leaverId)
            {
                throw new ValidationException(entryField + ".receiver_id", "the leaver cannot receive their own book");
            }
            if (!result.TryAdd(customer, receiver))
            {
                throw new ValidationException(entryField + ".customer_id", $"customer '{customer}' is assigned twice");
            }
        }
        return result;
    }

    /// <summary>
    /// The receiver of every customer in the book: its explicit assignment, else the default receiver, else the pool.
    /// An assignment naming a customer outside the leaver's book is refused.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Route(
        IReadOnlyCollection<string> book, IReadOnlyDictionary<string, string> assignments, string? defaultReceiverId)
    {
        var inBook = new HashSet<string>(book, StringComparer.Ordinal);
        foreach (var customerId in assignments.Keys.Where(id => !inBook.Contains(id)))
        {
            throw new PreconditionFailedException($"assignments: customer '{customerId}' is not in the leaver's book");
        }
        return book.ToDictionary(id => id, id => assignments.TryGetValue(id, out var receiver) ? receiver : defaultReceiverId ?? Pool, StringComparer.Ordinal);
    }

    /// <summary>The reminder and escalation of a pending package, counted from when it was addressed.</summary>
    public static IReadOnlyList<Deadline> AcceptanceDeadlines(PackageStatus status, DateTimeOffset addressedAt, HandoverOptions options) =>
        status == PackageStatus.Pending
            ? [new Deadline(Reminder, addressedAt + options.RemindAfter), new Deadline(Escalation, addressedAt + options.AcceptWithin)]
            : [];

    /// <summary>
    /// When a completed handover is pruned: <see cref="HandoverOptions.CompletedRetention"/> after it completed; none
    /// before it completes or once pruned. A handover stored before completion times were recorded
    /// (<paramref name="completedAt"/> null) counts from <paramref name="startedAt"/>, the only time it knows.
    /// </summary>
    public static Deadline? PruneDeadline(bool completed, DateTimeOffset? completedAt, DateTimeOffset startedAt, bool pruned, HandoverOptions options) =>
        completed && !pruned ? new Deadline(Prune, (completedAt ?? startedAt) + options.CompletedRetention) : null;

    /// <summary>Only a pending package may be accepted or rejected.</summary>
    public static void EnsureDecidable(PackageStatus status, string receiverId)
    {
        if (status != PackageStatus.Pending)
        {
            throw new PreconditionFailedException($"the package for '{receiverId}' is {status.ToString().ToLowerInvariant()}, not pending; it can no longer be accepted or rejected");
        }
    }

    /// <summary>Items of a pending or rejected package may be reassigned; accepted ones are already moving.</summary>
    public static void EnsureReassignable(PackageStatus status, string receiverId)
    {
        if (status is not (PackageStatus.Pending or PackageStatus.Rejected))
        {
            throw new PreconditionFailedException($"the package for '{(receiverId.Length == 0 ? "the pool" : receiverId)}' is {status.ToString().ToLowerInvariant()}; only pending or rejected packages can be reassigned");
        }
    }
}
