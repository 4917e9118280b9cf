using System.Globalization;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Pipeline;

/// <summary>Lifecycle of an opportunity.</summary>
public enum OpportunityStatus
{
    Unspecified = 0,
    Open = 1,
    Won = 2,
    Lost = 3,
}

/// <summary>An amount in a currency.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Money")]
public sealed record Money([property: Id(0)] decimal Amount, [property: Id(1)] string Currency)
{
    public override string ToString() => $"{Amount.ToString("0.##", CultureInfo.InvariantCulture)} {Currency}";
}

/// <summary>The editable terms of an opportunity.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.OpportunityTerms")]
public sealed record OpportunityTerms(
    [property: Id(0)] string Title,
    [property: Id(1)] Money Value,
    [property: Id(2)] DateTimeOffset ExpectedCloseAt);

/// <summary>Configuration of opportunities (section "ActorSales:Opportunities").</summary>
public sealed class OpportunityOptions
{
    public string DefaultPipeline { get; set; } = "b2b";

    /// <summary>Reasons a lost opportunity may give; free text goes beside it.</summary>
    public List<string> LossReasons { get; set; } = ["price", "competitor", "no_budget", "no_decision", "timing", "product_fit", "other"];

    /// <summary>Key factors a won opportunity names (seed 003: what made the difference); free text goes beside it.</summary>
    public List<string> WinFactors { get; set; } = ["product_fit", "price", "relationship", "service", "references", "delivery", "other"];

    public ForecastWeights Weights { get; set; } = new();

    public ApprovalOptions Approval { get; set; } = new();

    /// <summary>A signal that has not advanced for this long puts the deal on the manager's intervention list.</summary>
    public TimeSpan SignalDecayAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Tasks other departments get when an opportunity enters a stage.</summary>
    public List<StageTaskRule> TaskRules { get; set; } = [];
}

public static class OpportunityRules
{
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>Parses and checks a decimal amount string and an ISO 4217 code.</summary>
    public static Money ParseMoney(string amount, string currency, string field)
    {
        if (string.IsNullOrWhiteSpace(amount) || amount.Length > 32 ||
            !decimal.TryParse(amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new ValidationException(field + ".amount", "must be a decimal number such as \"125000.50\"");
        }
        if (value <= 0 || value > MaxAmount)
        {
            throw new ValidationException(field + ".amount", $"must be greater than 0 and at most {MaxAmount:0}");
        }
        if (decimal.Round(value, 2) != value)
        {
            throw new ValidationException(field + ".amount", "may have at most 2 decimals");
        }
        var code = (currency ?? string.Empty).Trim().ToUpperInvariant();
        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
        {
            throw new ValidationException(field + ".currency", "must be an ISO 4217 code such as \"EUR\"");
        }
        return new Money(value, code);
    }

    public static OpportunityTerms Validate(OpportunityTerms terms, DateTimeOffset now) => new(
        Guard.Required(terms.Title, "title"),
        terms.Value,
        Guard.Timestamp(terms.ExpectedCloseAt, "expected_close_at", Limits.LatestTimestamp));

    public static (string Factor, string Note) ValidateWin(string factor, string note, OpportunityOptions options)
    {
        if (string.IsNullOrEmpty(factor) || !options.WinFactors.Contains(factor))
        {
            throw new ValidationException("win_factor", $"must be one of: {string.Join(", ", options.WinFactors)}");
        }
        return (factor, Guard.Optional(note, "win_note", Limits.SummaryMaxLength));
    }

    public static (string Reason, string Note) ValidateLoss(string reason, string note, OpportunityOptions options)
    {
        if (string.IsNullOrEmpty(reason) || !options.LossReasons.Contains(reason))
        {
            throw new ValidationException("reason", $"must be one of: {string.Join(", ", options.LossReasons)}");
        }
        return (reason, Guard.Optional(note, "note", Limits.SummaryMaxLength));
    }

    public static void EnsureOpen(OpportunityStatus status, string id)
    {
        if (status != OpportunityStatus.Open)
        {
            throw new PreconditionFailedException($"opportunity '{id}' is {status.ToString().ToLowerInvariant()} and cannot change");
        }
    }
}
