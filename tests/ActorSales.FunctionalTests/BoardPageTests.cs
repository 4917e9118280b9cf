using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using ActorSales.Web;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.FileProviders;

namespace ActorSales.FunctionalTests;

/// <summary>
/// The board page as HTTP sees it (the browser tests use it in Chromium): served on the gRPC-Web listener only, under a
/// strict Content-Security-Policy, with the Local profile's development sign-in; and the page's protobuf table
/// (schema.json) agreeing with the compiled protos field by field.
/// </summary>
[Collection(HostCollection.Name)]
public sealed partial class BoardPageTests(HostFixture fixture)
{
    private static readonly string[] Modules = ["main.js", "api.js", "grpc-web.js", "protobuf.js", "i18n.js", "errors.js", "render.js"];

    private TestHost host => fixture.Host;

    private HttpClient Web() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{host.GrpcWebPort}") };

    [Fact]
    public async Task The_board_is_served_on_the_grpc_web_listener_under_a_strict_policy_and_not_on_the_grpc_one()
    {
        using var web = Web();
        using var grpc = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.GrpcPort}"), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var bare = await web.GetAsync("/board", TestContext.Current.CancellationToken);
        using var page = await web.GetAsync("/board/", TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var onGrpc = await grpc.GetAsync("/board/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal("/board/", bare.Headers.Location?.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(BoardEndpoints.ContentSecurityPolicy, Assert.Single(page.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("script-src 'self'", BoardEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", BoardEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("<script type=\"module\" src=\"./js/main.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(InlineScriptOrStyle(), html); // the policy would block them: none may be needed
        Assert.Equal(HttpStatusCode.NotFound, onGrpc.StatusCode);
        foreach (var module in Modules)
        {
            using var script = await web.GetAsync($"/board/js/{module}", TestContext.Current.CancellationToken);
            Assert.Equal((HttpStatusCode.OK, "text/javascript"), (script.StatusCode, script.Content.Headers.ContentType?.MediaType));
            Assert.True(script.Headers.Contains("Content-Security-Policy"), module);
        }
    }

    [Fact]
    public async Task The_development_sign_in_mints_a_token_the_api_accepts_and_refuses_bad_input()
    {
        var team = await host.CreateTeamAsync();
        using var web = Web();

        var roles = await web.GetFromJsonAsync<JsonElement>("/board/dev-sign-in", TestContext.Current.CancellationToken);
        using var minted = await web.PostAsJsonAsync("/board/dev-sign-in", new { user = team.ManagerId, role = "manager" }, TestContext.Current.CancellationToken);
        var token = (await minted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("token").GetString()!;
        var teams = await host.Teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 10 }, TestHost.Bearer(token));
        using var badRole = await web.PostAsJsonAsync("/board/dev-sign-in", new { user = "x", role = "root" }, TestContext.Current.CancellationToken);
        using var badUser = await web.PostAsJsonAsync("/board/dev-sign-in", new { user = "a b", role = "rep" }, TestContext.Current.CancellationToken);
        using var form = await web.PostAsync("/board/dev-sign-in", new FormUrlEncodedContent([new("user", "x"), new("role", "rep")]), TestContext.Current.CancellationToken);

        Assert.Equal(["rep", "manager", "director", "admin"], roles.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        Assert.Equal("no-store", minted.Headers.CacheControl?.ToString());
        Assert.Equal(team.TeamId, Assert.Single(teams.Teams).TeamId); // a manager's token: their own team only
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badUser.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode); // a cross-site form cannot mint
    }

    [Fact]
    public void The_pages_protobuf_table_matches_the_compiled_protos()
    {
        FileDescriptor[] files =
        [
            AnalyticsReflection.Descriptor, OpportunitiesReflection.Descriptor, CustomersReflection.Descriptor, TeamsReflection.Descriptor,
            PipelinesReflection.Descriptor, CommonReflection.Descriptor, Timestamp.Descriptor.File, Duration.Descriptor.File,
        ];
        var messages = TypeRegistry.FromFiles(files);
        var enums = files.SelectMany(f => f.EnumTypes).ToDictionary(e => e.FullName);
        var services = files.SelectMany(f => f.Services).ToDictionary(s => s.FullName);
        using var schema = JsonDocument.Parse(ReadEmbedded("schema.json"));
        var declared = schema.RootElement.GetProperty("messages").EnumerateObject().Select(m => m.Name).ToHashSet();
        var problems = new List<string>();

        foreach (var message in schema.RootElement.GetProperty("messages").EnumerateObject())
        {
            if (messages.Find(message.Name) is not { } descriptor)
            {
                problems.Add($"{message.Name}: no such message");
                continue;
            }
            foreach (var field in message.Value.EnumerateObject())
            {
                var spec = field.Value.EnumerateArray().ToList();
                var (number, type, label) = (spec[0].GetInt32(), spec[1].GetString()!, spec.Count > 2 ? spec[2].GetString() : null);
                var where = $"{message.Name}.{field.Name}";
                if (descriptor.FindFieldByName(field.Name) is not { } actual)
                {
                    problems.Add($"{where}: no such field");
                    continue;
                }
                if (actual.FieldNumber != number)
                {
                    problems.Add($"{where}: number {number}, the proto says {actual.FieldNumber}");
                }
                if ((label == "repeated") != actual.IsRepeated || (label == "oneof") != (actual.RealContainingOneof is not null))
                {
                    problems.Add($"{where}: label '{label}' does not match the proto");
                }
                var actualType = actual.FieldType switch
                {
                    FieldType.Message => actual.MessageType.FullName,
                    FieldType.Enum => actual.EnumType.FullName,
                    var scalar => scalar.ToString().ToLowerInvariant(),
                };
                if (actualType != type)
                {
                    problems.Add($"{where}: type {type}, the proto says {actualType}");
                }
                if (actual.FieldType == FieldType.Message && !declared.Contains(type))
                {
                    problems.Add($"{where}: {type} is not in the table, so the page could not read it");
                }
            }
        }
        foreach (var table in schema.RootElement.GetProperty("enums").EnumerateObject())
        {
            if (!enums.TryGetValue(table.Name, out var descriptor))
            {
                problems.Add($"{table.Name}: no such enum");
                continue;
            }
            var values = table.Value.EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetInt32());
            var actual = descriptor.Values.ToDictionary(v => v.Name, v => v.Number);
            if (!values.OrderBy(v => v.Key).SequenceEqual(actual.OrderBy(v => v.Key)))
            {
                problems.Add($"{table.Name}: values {string.Join(",", values)} but the proto has {string.Join(",", actual)}");
            }
        }
        foreach (var method in schema.RootElement.GetProperty("methods").EnumerateObject())
        {
            var (service, name) = (method.Name.Split('/')[0], method.Name.Split('/')[1]);
            var actual = services.GetValueOrDefault(service)?.FindMethodByName(name);
            if (actual is null)
            {
                problems.Add($"{method.Name}: no such method");
                continue;
            }
            var streaming = method.Value.TryGetProperty("serverStreaming", out var s) && s.GetBoolean();
            if (actual.InputType.FullName != method.Value.GetProperty("request").GetString() || actual.OutputType.FullName != method.Value.GetProperty("response").GetString()
                || actual.IsServerStreaming != streaming || !declared.Contains(actual.InputType.FullName) || !declared.Contains(actual.OutputType.FullName))
            {
                problems.Add($"{method.Name}: request, response or streaming do not match the proto, or are missing from the table");
            }
            if (actual.GetOptions()?.IdempotencyLevel != MethodOptions.Types.IdempotencyLevel.NoSideEffects)
            {
                problems.Add($"{method.Name}: the board only reads; this RPC changes something");
            }
        }

        Assert.Empty(problems);
        Assert.True(declared.Count >= 25, "the table lists the board's messages"); // a check that is not vacuous
    }

    private static string ReadEmbedded(string path)
    {
        var file = new ManifestEmbeddedFileProvider(typeof(BoardEndpoints).Assembly, "board").GetFileInfo(path);
        using var reader = new StreamReader(file.CreateReadStream());
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScriptOrStyle();
}
