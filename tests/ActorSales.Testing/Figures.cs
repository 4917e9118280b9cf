namespace ActorSales.Testing;

/// <summary>
/// Measured figures a test reports (recovery times, peaks), appended to the file named by
/// ACTORSALES_TEST_FIGURES when set, so a run can collect them for README and issue notes.
/// </summary>
public static class Figures
{
    /// <summary>Appends <paramref name="line"/> to the figures file (if any) and returns it, for the test's output.</summary>
    public static string Report(string line)
    {
        if (Environment.GetEnvironmentVariable("ACTORSALES_TEST_FIGURES") is { Length: > 0 } file)
        {
            File.AppendAllText(file, $"{DateTimeOffset.UtcNow:O} {line}{Environment.NewLine}");
        }
        return line;
    }
}
