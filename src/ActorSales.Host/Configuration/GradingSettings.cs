using ActorSales.Domain.Customers;
using Microsoft.Extensions.Configuration;

namespace ActorSales.Host.Configuration;

/// <summary>Section "ActorSales:Grading" (customer grading: weights, thresholds, the recompute period), validated at start.</summary>
public static class GradingSettings
{
    public const string Section = "ActorSales:Grading";

    /// <summary>The bound options; a setting that does not convert or validate stops the host with one line.</summary>
    public static GradingOptions Read(IConfiguration configuration)
    {
        var options = new GradingOptions();
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
