using ActorSales.Host.Commands;
using ActorSales.Host.Configuration;
using ActorSales.Host.Hosting;

// actorsales [run] | migrate | rebuild-read-model | token --user <id> --role <role> | probe [--path /healthz]; settings from
// appsettings.json, env (ActorSales__...)
// and --Key=value arguments.
var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
var rest = command == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];

try
{
    switch (command)
    {
        case "run":
            await ActorSalesHost.Build(rest).RunAsync();
            return 0;
        case "migrate":
        {
            var configuration = new ConfigurationBuilder()
                .SetBasePath(AppContext.BaseDirectory)
                .AddJsonFile("appsettings.json", optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine(rest)
                .Build();
            using var loggers = LoggerFactory.Create(logging => logging.AddConsole());
            return await MigrateCommand.RunAsync(HostSettings.Read(configuration), loggers, CancellationToken.None);
        }
        case "rebuild-read-model":
        {
            // The host's services as `run` configures them (profile, store), without starting the silo.
            await using var app = ActorSalesHost.Build(rest);
            return await RebuildReadModelCommand.RunAsync(app.Services, Console.Out, CancellationToken.None);
        }
        case "token":
            return TokenCommand.Run(rest, SettingsOf(rest), TimeProvider.System);
        case "probe":
            return await ProbeCommand.RunAsync(rest, SettingsOf(rest), Console.Out);
        default:
            Console.Error.WriteLine($"actorsales: unknown command '{command}'; use run, migrate, rebuild-read-model, token or probe");
            return 64;
    }
}
catch (ConfigurationException exception)
{
    Console.Error.WriteLine($"actorsales: configuration error: {exception.Message}");
    return 78;
}

// Settings for a command that takes its own arguments too: only the "--Key=value" ones are settings.
static HostSettings SettingsOf(string[] arguments) => HostSettings.Read(new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(arguments.Where(a => a.Contains('=')).ToArray())
    .Build());
