using ActorSales.Host.Configuration;
using ActorSales.Infrastructure.Postgres;

namespace ActorSales.Host.Commands;

/// <summary>`actorsales migrate`: applies the PostgreSQL schema idempotently (safe to run from several hosts at once).</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(HostSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.PostgresConnectionString))
        {
            Console.Error.WriteLine("actorsales: configuration error: ConnectionStrings:Postgres (env ConnectionStrings__Postgres) is required for migrate");
            return 78;
        }
        var migrator = new PostgresMigrator(loggers.CreateLogger<PostgresMigrator>());
        var report = await migrator.MigrateAsync(settings.PostgresConnectionString, cancellationToken);
        Console.WriteLine($"schema up to date: applied [{string.Join(", ", report.Applied)}], already present [{string.Join(", ", report.AlreadyApplied)}]");
        return 0;
    }
}
