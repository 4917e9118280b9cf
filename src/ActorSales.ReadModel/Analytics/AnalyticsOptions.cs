namespace ActorSales.ReadModel.Analytics;

/// <summary>Settings of the data-health figures (section ActorSales:Analytics).</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "ActorSales:Analytics";

    /// <summary>
    /// Fields a complete customer record has: any of industry, phone, contact_name, email, company, address
    /// (<see cref="AnalyticsFacts.CustomerFields"/>).
    /// </summary>
    public List<string> RequiredCustomerFields { get; set; } = ["industry", "phone", "contact_name", "address"];

    /// <summary>An open opportunity not updated for longer than this counts as updated late.</summary>
    public TimeSpan LateUpdateAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>WatchBoard streams one caller may hold at once (RESOURCE_EXHAUSTED beyond).</summary>
    public int MaxBoardStreamsPerCaller { get; set; } = 4;

    /// <summary>WatchBoard streams one host serves at once (RESOURCE_EXHAUSTED beyond).</summary>
    public int MaxBoardStreamsPerHost { get; set; } = 500;

    /// <summary>After a change, a board waits this long for more before it recomputes: at most one board per window.</summary>
    public TimeSpan BoardCoalesceWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the host's one change watcher reads the store's checkpoint while board streams are open and another
    /// silo projects (the projecting silo is woken by its projector instead).
    /// </summary>
    public TimeSpan BoardPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The required fields as a mask; throws naming the setting on an unknown field.</summary>
    public CustomerField RequiredMask()
    {
        var mask = CustomerField.None;
        foreach (var name in RequiredCustomerFields)
        {
            var field = AnalyticsFacts.CustomerFields.FirstOrDefault(f => f.Name == name.Trim());
            if (field.Field == CustomerField.None)
            {
                throw new InvalidOperationException(
                    $"{Section}:RequiredCustomerFields: '{name}' is not one of {string.Join(", ", AnalyticsFacts.CustomerFields.Select(f => f.Name))}");
            }
            mask |= field.Field;
        }
        return mask;
    }

    /// <summary>Problems with the settings (empty when valid).</summary>
    public IEnumerable<string> Validate()
    {
        string? problem = null;
        try
        {
            RequiredMask();
        }
        catch (InvalidOperationException exception)
        {
            problem = exception.Message;
        }
        if (problem is not null)
        {
            yield return problem;
        }
        if (LateUpdateAfter <= TimeSpan.Zero)
        {
            yield return $"{Section}:LateUpdateAfter must be positive";
        }
        if (MaxBoardStreamsPerCaller < 1 || MaxBoardStreamsPerHost < 1)
        {
            yield return $"{Section}:MaxBoardStreamsPerCaller and MaxBoardStreamsPerHost must be at least 1";
        }
        if (BoardCoalesceWindow <= TimeSpan.Zero || BoardCoalesceWindow > TimeSpan.FromSeconds(1))
        {
            yield return $"{Section}:BoardCoalesceWindow must be positive and at most 1 s (a board follows a change within 2 s)";
        }
        if (BoardPollInterval <= TimeSpan.Zero || BoardPollInterval > TimeSpan.FromSeconds(1))
        {
            yield return $"{Section}:BoardPollInterval must be positive and at most 1 s";
        }
    }
}

/// <summary>Checks <see cref="AnalyticsOptions"/> at start: a bad setting stops the host naming it.</summary>
public sealed class AnalyticsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<AnalyticsOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, AnalyticsOptions options)
    {
        var problems = options.Validate().ToList();
        return problems.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems);
    }
}
