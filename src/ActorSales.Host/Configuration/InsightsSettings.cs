using ActorSales.Domain.Insights;
using Microsoft.Extensions.Configuration;

namespace ActorSales.Host.Configuration;

/// <summary>Section "ActorSales:Insights" (anomaly rules, evaluation delays, the forecast horizon), validated at start.</summary>
public static class InsightsSettings
{
    public const string Section = InsightsOptions.Section;

    /// <summary>The bound options; a setting that does not convert or validate stops the host with one line.</summary>
    public static InsightsOptions Read(IConfiguration configuration)
    {
        var options = new InsightsOptions();
        try
        {
            configuration.GetSection(Section).Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new ConfigurationException(exception.Message);
        }
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", problems));
        }
        return options;
    }
}
