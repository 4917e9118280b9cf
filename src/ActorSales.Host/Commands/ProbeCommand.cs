using ActorSales.Host.Configuration;

namespace ActorSales.Host.Commands;

/// <summary>
/// <c>actorsales probe [--path /healthz]</c>: asks this host's admin listener for its health and exits 0 when it
/// answers 200, 1 otherwise. The container's HEALTHCHECK (the runtime image has no curl). A listener bound to every
/// interface (0.0.0.0) is asked on loopback.
/// </summary>
public static class ProbeCommand
{
    public static async Task<int> RunAsync(string[] args, HostSettings settings, TextWriter output)
    {
        var path = "/healthz";
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--path")
            {
                path = args[i + 1];
            }
        }
        if (string.IsNullOrEmpty(settings.Endpoints.Admin))
        {
            await output.WriteLineAsync("probe: no admin listener (ActorSales:Endpoints:Admin is empty)");
            return 1;
        }
        var admin = new UriBuilder(settings.Endpoints.Admin) { Path = path };
        if (admin.Host is "0.0.0.0")
        {
            admin.Host = "127.0.0.1";
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await http.GetAsync(admin.Uri);
            await output.WriteLineAsync($"probe: {admin.Uri} answered {(int)response.StatusCode}: {(await response.Content.ReadAsStringAsync()).Trim()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"probe: {admin.Uri} did not answer: {exception.Message}");
            return 1;
        }
    }
}
