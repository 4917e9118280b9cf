using System.Globalization;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.ReadModel;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Gateway.Mapping;

/// <summary>
/// Query requests to the read model's query records. Every field is checked here, before the caller's scope is
/// applied or the store is asked, and a refusal names the request field. The scope is left
/// <see cref="ReadScope.Everything"/>: the service replaces it with the caller's.
/// </summary>
public static class QueryMapper
{
    // Each query's page tokens carry its own kind, so a token of another query is refused before the store reads it.
    public const string CustomerSearchPages = "customer-search";
    public const string CustomerPages = "customer-list";
    public const string OpportunityPages = "opportunity-query";
    public const string TeamPages = "team-list";
    public const string SalespersonPages = "salesperson-list";
    public const string TimelinePages = "timeline";

    private const int MaxSearchText = 200;
    private const decimal MaxAmount = 1_000_000_000_000m;

    public static CustomerSearch ToSearch(V1.SearchCustomersRequest request) => new(
        ReadScope.Everything,
        Guard.Required(request.Text, "text", MaxSearchText),
        PageSize(request.PageSize),
        PageToken(request.PageToken, CustomerSearchPages));

    public static CustomerQuery ToQuery(V1.ListCustomersRequest request)
    {
        var followedUpBefore = RequestMapper.OptionalTimestamp(request.FollowedUpBefore, "followed_up_before");
        var followedUpAfter = RequestMapper.OptionalTimestamp(request.FollowedUpAfter, "followed_up_after");
        Ordered(followedUpAfter, followedUpBefore, "followed_up_after", "must not be after followed_up_before");
        var createdFrom = RequestMapper.OptionalTimestamp(request.CreatedFrom, "created_from");
        var createdTo = RequestMapper.OptionalTimestamp(request.CreatedTo, "created_to");
        Ordered(createdFrom, createdTo, "created_to", "must not be before created_from");
        var grade = Filter(Guard.OptionalEnum(request.Grade, "grade"));
        return new CustomerQuery(
            ReadScope.Everything,
            PageSize(request.PageSize),
            PageToken(request.PageToken, CustomerPages),
            RequestMapper.OptionalId(request.TeamId, "team_id"),
            RequestMapper.OptionalId(request.OwnerId, "owner_id"),
            Filter(Guard.OptionalEnum(request.Tier, "tier")),
            Text(request.Industry, "industry"),
            Filter(Guard.OptionalEnum(request.SourceChannel, "source_channel")),
            request.HasInPool ? request.InPool : null,
            request.HasLocked ? request.Locked : null,
            followedUpBefore,
            followedUpAfter,
            createdFrom,
            createdTo,
            request.HasReleaseWarned ? request.ReleaseWarned : null,
            Guard.OptionalEnum(request.Sort, "sort") switch
            {
                V1.CustomerSortField.LastFollowUp => CustomerSort.LastFollowUp,
                V1.CustomerSortField.Name => CustomerSort.Name,
                _ => CustomerSort.Created,
            },
            Descending(request.Direction, naturallyDescending: request.Sort != V1.CustomerSortField.Name),
            grade);
    }

    public static OpportunityQuery ToQuery(V1.QueryOpportunitiesRequest request)
    {
        var currency = request.Currency.Length == 0 ? null : Guard.Currency(request.Currency, "currency");
        var amountMin = Amount(request.AmountMin, "amount_min");
        var amountMax = Amount(request.AmountMax, "amount_max");
        if ((amountMin ?? amountMax) is not null && currency is null)
        {
            throw new ValidationException("currency", "is required with amount_min or amount_max: amounts compare within one currency");
        }
        Ordered(amountMin, amountMax, "amount_max", "must not be less than amount_min");
        var closeFrom = RequestMapper.OptionalTimestamp(request.ExpectedCloseFrom, "expected_close_from");
        var closeTo = RequestMapper.OptionalTimestamp(request.ExpectedCloseTo, "expected_close_to");
        Ordered(closeFrom, closeTo, "expected_close_to", "must not be before expected_close_from");
        var sort = Guard.OptionalEnum(request.Sort, "sort");
        return new OpportunityQuery(
            ReadScope.Everything,
            PageSize(request.PageSize),
            PageToken(request.PageToken, OpportunityPages),
            RequestMapper.OptionalId(request.CustomerId, "customer_id"),
            RequestMapper.OptionalId(request.OwnerId, "owner_id"),
            RequestMapper.OptionalId(request.TeamId, "team_id"),
            Text(request.Region, "region"),
            RequestMapper.OptionalId(request.PipelineKey, "pipeline_key"),
            RequestMapper.OptionalId(request.Stage, "stage"),
            Filter(Guard.OptionalEnum(request.Status, "status")),
            request.HasStallLevel ? Defined(request.StallLevel, "stall_level") : null,
            request.HasSignal ? Defined(request.Signal, "signal") : null,
            currency,
            amountMin,
            amountMax,
            closeFrom,
            closeTo,
            sort switch
            {
                V1.OpportunitySortField.Amount => OpportunitySort.Amount,
                V1.OpportunitySortField.TimeInStage => OpportunitySort.TimeInStage,
                _ => OpportunitySort.ExpectedClose,
            },
            // Largest amounts and longest in stage first; soonest close first.
            Descending(request.Direction, naturallyDescending: sort is V1.OpportunitySortField.Amount or V1.OpportunitySortField.TimeInStage));
    }

    public static TeamQuery ToQuery(V1.ListTeamsRequest request) => new(
        ReadScope.Everything, PageSize(request.PageSize), PageToken(request.PageToken, TeamPages), Text(request.Region, "region"));

    public static SalespersonQuery ToQuery(V1.ListSalespeopleRequest request) => new(
        ReadScope.Everything,
        PageSize(request.PageSize),
        PageToken(request.PageToken, SalespersonPages),
        RequestMapper.OptionalId(request.TeamId, "team_id"),
        Filter(Guard.OptionalEnum(request.Role, "role")),
        Filter(Guard.OptionalEnum(request.Status, "status")));

    public static TimelineQuery ToQuery(V1.GetTimelineRequest request) => request.SubjectCase switch
    {
        V1.GetTimelineRequest.SubjectOneofCase.CustomerId => new TimelineQuery(
            V1.EntityType.Customer, Guard.Id(request.CustomerId, "customer_id"), PageSize(request.PageSize), PageToken(request.PageToken, TimelinePages)),
        V1.GetTimelineRequest.SubjectOneofCase.OpportunityId => new TimelineQuery(
            V1.EntityType.Opportunity, Guard.Id(request.OpportunityId, "opportunity_id"), PageSize(request.PageSize), PageToken(request.PageToken, TimelinePages)),
        V1.GetTimelineRequest.SubjectOneofCase.LeadId => new TimelineQuery(
            V1.EntityType.Lead, Guard.Id(request.LeadId, "lead_id"), PageSize(request.PageSize), PageToken(request.PageToken, TimelinePages)),
        _ => throw new ValidationException("subject", "name customer_id, opportunity_id or lead_id"),
    };

    /// <summary>The opaque token a response carries: the store's cursor, wrapped so a token of another list is refused here.</summary>
    public static string NextPageToken(string? storeToken, string kind) =>
        storeToken is null ? string.Empty : Paging.EncodeToken(kind, storeToken);

    /// <summary>Queries name their page size: 1..500 (0 is refused, unlike the older lists where it means 50).</summary>
    private static int PageSize(int requested, string field = "page_size") =>
        requested == 0 ? throw new ValidationException(field, $"is required: 1..{Limits.MaxPageSize}") : Paging.PageSize(requested, field);

    private static string? PageToken(string token, string kind) => Paging.DecodeToken(token, kind) switch
    {
        null => null,
        { Length: 0 } => throw new ValidationException("page_token", "is not a token returned by this list; start again without a token"),
        var cursor => cursor,
    };

    private static string? Text(string value, string field) => Guard.Optional(value, field) is { Length: > 0 } text ? text : null;

    private static T? Filter<T>(T value) where T : struct, Enum =>
        Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0 ? null : value;

    /// <summary>An enum filter where 0 is a value of its own (within limits, no signal yet): defined is enough.</summary>
    private static T Defined<T>(T value, string field) where T : struct, Enum =>
        Enum.IsDefined(value) ? value : throw new ValidationException(field, $"must be one of {string.Join(", ", Enum.GetNames<T>())}");

    private static bool Descending(V1.SortDirection direction, bool naturallyDescending) =>
        Guard.OptionalEnum(direction, "direction") switch
        {
            V1.SortDirection.Ascending => false,
            V1.SortDirection.Descending => true,
            _ => naturallyDescending,
        };

    private static void Ordered<T>(T? low, T? high, string field, string problem) where T : struct, IComparable<T>
    {
        if (low is { } l && high is { } h && l.CompareTo(h) > 0)
        {
            throw new ValidationException(field, problem);
        }
    }

    private static decimal? Amount(string value, string field)
    {
        if (value.Length == 0)
        {
            return null;
        }
        if (value.Length > 32 || !decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            throw new ValidationException(field, "must be a decimal number such as \"125000.50\"");
        }
        if (amount > MaxAmount || decimal.Round(amount, 2) != amount)
        {
            throw new ValidationException(field, $"must be 0..{MaxAmount:0} with at most 2 decimals");
        }
        return amount;
    }
}
