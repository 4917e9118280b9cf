using Microsoft.Extensions.Configuration;

namespace ActorSales.Host.Configuration;

/// <summary>
/// A section of business-rule settings (grading, insights, orders, ...) bound and validated at start: a setting that does
/// not convert or validate stops the host with one line naming it.
/// </summary>
public static class ValidatedSettings
{
    public static T Read<T>(IConfiguration configuration, string section, Func<T, IEnumerable<string>> validate)
        where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new ConfigurationException(exception.Message);
        }
        var problems = validate(options).ToList();
        if (problems.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", problems));
        }
        return options;
    }
}
