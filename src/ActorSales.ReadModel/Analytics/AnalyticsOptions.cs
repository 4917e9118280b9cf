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
