namespace ActorSales.Testing;

public static class RepositoryPaths
{
    /// <summary>The checkout's root (the folder holding ActorSales.sln), found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorSales.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ActorSales.sln not found above " + AppContext.BaseDirectory);
    }
}
