using ActorSales.Domain.Orders;
using Microsoft.Extensions.Configuration;

namespace ActorSales.Host.Configuration;

/// <summary>Section "ActorSales:Orders" (instalment reminder and escalation ages), validated at start.</summary>
public static class OrderSettings
{
    public const string Section = OrderOptions.Section;

    /// <summary>The bound options; a setting that does not convert or validate stops the host with one line.</summary>
    public static OrderOptions Read(IConfiguration configuration)
    {
        var options = new OrderOptions();
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
