namespace ActorSales.Domain.Common;

/// <summary>Input limits every entry point enforces; documented in the protos.</summary>
public static class Limits
{
    public const int NameMaxLength = 200;
    public const int SummaryMaxLength = 4_000;
    public const int IdMaxLength = 64;
    public const int MaxContacts = 50;
    public const int MaxDepartmentMembers = 500;
    public const int PreferencesMaxLength = 500;
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Earliest timestamp accepted on input; older values are typos or attacks.</summary>
    public static readonly DateTimeOffset EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Latest timestamp accepted on input for planned dates (next actions, close dates).</summary>
    public static readonly DateTimeOffset LatestTimestamp = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far in the future an activity's "occurred at" may lie (clock skew of the client).</summary>
    public static readonly TimeSpan OccurredAtSkew = TimeSpan.FromMinutes(5);
}
