using System.Text;
using System.Text.RegularExpressions;
using ActorSales.Testing;
using Google.Protobuf.Reflection;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Every field name the server code writes into a validation error, read from the source: a client must find it in
/// the API's requests. It catches the names no test request reaches (a rule deep behind a found entity) that the
/// client-side <see cref="FieldNameCheck"/> cannot see.
/// </summary>
/// <remarks>
/// A field name is a string argument given to a parameter called <c>field</c> (<c>new ValidationException(field, ..)</c>,
/// <c>Guard.Id(value, field)</c>, and every helper that passes one on), that parameter's default, or a local called
/// <c>field</c> or <c>somethingField</c>. A literal ("a.b", $"a[{i}].b") must resolve in at least one request; a suffix
/// added to a variable (<c>field + ".amount"</c>, $"{field}.email") must resolve in at least one message a request can
/// carry. Which request a literal belongs to the scan cannot tell: that is the functional tests' part (every call
/// through <see cref="TestHost.Channel"/>, and <see cref="HostileInputTests"/> reaching each field's validation).
/// </remarks>
public sealed partial class ValidationFieldNamesTests
{
    /// <summary>Field names that never reach a client as one, each with the reason (file, name).</summary>
    private static readonly Dictionary<(string File, string Name), string> NotRequestFields = new()
    {
        // The token's subject claim, checked with Guard.Id; the ValidationException is caught and answered PERMISSION_DENIED.
        [("src/ActorSales.Gateway/Identity/CallerResolver.cs", "sub")] = "a token claim, not a request field",
    };

    private static IReadOnlyList<MessageDescriptor> Requests { get; } = ApiSurface.Files
        .SelectMany(f => f.Services).SelectMany(s => s.Methods).Select(m => m.InputType)
        .DistinctBy(d => d.FullName).ToList();

    /// <summary>Requests and every message type they can carry.</summary>
    private static IReadOnlyList<MessageDescriptor> RequestParts { get; } = Reachable(Requests);

    [Fact]
    public void Every_field_name_in_a_validation_error_is_a_field_of_a_request()
    {
        var names = FieldNames();
        var wrong = names
            .Where(n => !NotRequestFields.ContainsKey((n.File, n.Text)))
            .Select(n => (Name: n, Problem: Problem(n)))
            .Where(n => n.Problem is not null)
            .Select(n => $"{n.Name.File}:{n.Name.Line}: {n.Problem}")
            .ToList();

        Assert.True(wrong.Count == 0, "field names no request has:" + Environment.NewLine + string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void The_scan_finds_the_field_names_it_is_meant_to_find()
    {
        var names = FieldNames();

        // A scan that silently found nothing would pass the test above: these are in the code today, in each form.
        Assert.Contains(names, n => n is { Kind: NameKind.Path, Text: "opportunity_id" } && n.File.EndsWith("OpportunitiesGrpcService.cs", StringComparison.Ordinal));
        Assert.Contains(names, n => n is { Kind: NameKind.Path, Text: "page_size" } && n.File.EndsWith("Paging.cs", StringComparison.Ordinal));
        Assert.Contains(names, n => n is { Kind: NameKind.Suffix, Text: ".amount" });
        Assert.Contains(names, n => n is { Kind: NameKind.Suffix, Text: ".title" } && n.File.EndsWith("ForecastSignals.cs", StringComparison.Ordinal));
        Assert.Contains(names, n => n is { Kind: NameKind.Path, Text: "contacts[0]" });
        Assert.Contains(names, n => n is { Kind: NameKind.Path, Text: "receiver_id" } && n.File.EndsWith("HandoverGrpcService.cs", StringComparison.Ordinal));
        Assert.True(names.Count > 100, $"only {names.Count} field names found");
        foreach (var ((file, name), reason) in NotRequestFields)
        {
            Assert.True(names.Any(n => n.File == file && n.Text == name), $"{file} no longer uses \"{name}\" ({reason}): drop the exception");
        }
    }

    [Fact]
    public void The_scan_reads_literals_interpolations_suffixes_defaults_and_locals()
    {
        const string source = """
            public sealed class ValidationException(string field, string problem) : DomainException($"{field}: {problem}");
            public static string Id(string? value, string field) => value;
            public static string Optional(string? value, string field, int maxLength = 200) => value;
            public static T Check<T>(T value, string field = "page_size") => value;
            void M(int i, string field)
            {
                throw new ValidationException("a.b", "x");
                Guard.Id(value, $"stages[{i}].key");
                Guard.Id(name, field + ".name");
                Guard.Id(name, field);
                throw new PreconditionFailedException($"{field}: no");
                Check(1, field: "named");
                var field = $"decision_makers[{i}]";
                var stageField = $"{field}.stages[{i}]";
                Guard.Optional(value, flag ? "x" : "y");
                Guard.Optional(Text("q", 1), "a(b,c", Math.Max(1, 2));
            }
            """;

        var names = Scan("f.cs", source, FieldParameters([source]));

        Assert.Equal(
            [
                "Path page_size", "Path a.b", "Path stages[0].key", "Suffix .name", "Path named",
                "Path decision_makers[0]", "Suffix .stages[0]", "Unreadable flag ? \"x\" : \"y\"", "Path a(b,c",
            ],
            names.Select(n => $"{n.Kind} {n.Text}"));
    }

    private static string? Problem(FieldName name) => name.Kind switch
    {
        NameKind.Path => Requests.Any(r => FieldPaths.Resolves(r, name.Text))
            ? null
            : $"\"{name.Text}\" is not a field path of any request ({ClosestProblem(name.Text)})",
        NameKind.Suffix => RequestParts.Any(m => FieldPaths.Resolves(m, name.Text.TrimStart('.')))
            ? null
            : $"\"{name.Text}\" is not a field of any message a request carries",
        _ => $"{name.Text} builds a field name that cannot be checked; pass a literal, an interpolation or variable + \".suffix\"",
    };

    private static string ClosestProblem(string path)
    {
        var first = path.Split('.', '[', ',')[0];
        var request = Requests.FirstOrDefault(r => r.FindFieldByName(first) is not null || r.Oneofs.Any(o => o.Name == first));
        if (request is null)
        {
            return $"no request has a field '{first}'";
        }
        FieldPaths.TryResolve(request, path, out var problem);
        return problem;
    }

    private static List<FieldName> FieldNames()
    {
        var src = Path.Combine(RepositoryPaths.Root, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(files);
        var sources = files.Select(f => (File: Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'), Text: File.ReadAllText(f))).ToList();
        var takesField = FieldParameters(sources.Select(s => s.Text));
        return sources.SelectMany(s => Scan(s.File, s.Text, takesField)).ToList();
    }

    /// <summary>Every member (method, constructor, primary constructor) with a string parameter called field: its name and that parameter's position.</summary>
    private static Dictionary<string, HashSet<int>> FieldParameters(IEnumerable<string> sources)
    {
        var result = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var text in sources)
        {
            foreach (Match declaration in Declaration().Matches(text))
            {
                var parameters = SplitArguments(text, declaration.Index + declaration.Length - 1, angleBrackets: true);
                var index = parameters.FindIndex(p => FieldParameter().IsMatch(p));
                if (index >= 0)
                {
                    var name = declaration.Groups["name"].Value;
                    (result.TryGetValue(name, out var indexes) ? indexes : result[name] = []).Add(index);
                }
            }
        }
        return result;
    }

    private static List<FieldName> Scan(string file, string text, Dictionary<string, HashSet<int>> takesField)
    {
        var names = new List<FieldName>();
        int LineOf(int position) => text.AsSpan(0, position).Count('\n') + 1;

        foreach (Match call in Call().Matches(text))
        {
            if (!takesField.TryGetValue(call.Groups["name"].Value, out var indexes))
            {
                continue;
            }
            var arguments = SplitArguments(text, call.Index + call.Length - 1, angleBrackets: false);
            var isDeclaration = arguments.Any(a => FieldParameter().IsMatch(a));
            if (isDeclaration)
            {
                foreach (var fallback in arguments.Select(a => FieldParameter().Match(a)).Where(m => m.Groups["default"].Success))
                {
                    names.Add(new FieldName(file, LineOf(call.Index), NameKind.Path, fallback.Groups["default"].Value));
                }
                continue;
            }
            var named = arguments.Select(a => NamedArgument().Match(a)).FirstOrDefault(m => m.Success && m.Groups["name"].Value == "field");
            var candidates = named is not null
                ? [named.Groups["value"].Value]
                : indexes.Where(i => i < arguments.Count && !NamedArgument().IsMatch(arguments[i])).Select(i => arguments[i]);
            foreach (var name in candidates.Select(Classify).OfType<(NameKind Kind, string Text)>())
            {
                names.Add(new FieldName(file, LineOf(call.Index), name.Kind, name.Text));
            }
        }
        foreach (Match local in FieldLocal().Matches(text))
        {
            if (Classify(local.Groups["value"].Value.Trim()) is { } name)
            {
                names.Add(new FieldName(file, LineOf(local.Index), name.Kind, name.Text));
            }
        }
        return names.OrderBy(n => n.Line).ToList();
    }

    /// <summary>What an argument says about the field name: a literal path, a suffix to a variable, or unreadable; null when it holds no literal (a forwarded parameter).</summary>
    private static (NameKind Kind, string Text)? Classify(string argument)
    {
        if (!argument.Contains('"', StringComparison.Ordinal))
        {
            return null;
        }
        if (PlainLiteral().Match(argument) is { Success: true } plain)
        {
            return (NameKind.Path, plain.Groups["text"].Value);
        }
        if (Interpolated().Match(argument) is { Success: true } interpolated)
        {
            var body = interpolated.Groups["text"].Value;
            return body.StartsWith('{')
                ? (NameKind.Suffix, Hole().Replace(body[(body.IndexOf('}', StringComparison.Ordinal) + 1)..], "0"))
                : (NameKind.Path, Hole().Replace(body, "0"));
        }
        if (Suffixed().Match(argument) is { Success: true } suffixed)
        {
            return (NameKind.Suffix, Hole().Replace(suffixed.Groups["text"].Value, "0"));
        }
        return (NameKind.Unreadable, argument);
    }

    /// <summary>
    /// The comma-separated arguments of the parenthesis at <paramref name="open"/>, trimmed; with
    /// <paramref name="angleBrackets"/> (a parameter list) a generic type's commas do not split either.
    /// </summary>
    private static List<string> SplitArguments(string text, int open, bool angleBrackets)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        for (var i = open + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"' || (c is '$' or '@' && i + 1 < text.Length && text[i + 1] is '"' or '@' or '$'))
            {
                var end = SkipString(text, i);
                current.Append(text, i, end - i);
                i = end - 1;
                continue;
            }
            if (c == '\'' && i + 2 < text.Length)
            {
                var end = text.IndexOf('\'', i + (text[i + 1] == '\\' ? 3 : 2));
                current.Append(text, i, end + 1 - i);
                i = end;
                continue;
            }
            if (c is '(' or '[' or '{' || (angleBrackets && c == '<'))
            {
                depth++;
            }
            else if (c is ')' or ']' or '}' || (angleBrackets && c == '>'))
            {
                if (depth == 0)
                {
                    if (current.ToString().Trim() is { Length: > 0 } last)
                    {
                        arguments.Add(last);
                    }
                    return arguments;
                }
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        return arguments;
    }

    /// <summary>The index after the string literal starting at <paramref name="start"/> (plain, verbatim or interpolated, holes nested).</summary>
    private static int SkipString(string text, int start)
    {
        var interpolated = false;
        var verbatim = false;
        var i = start;
        while (text[i] != '"')
        {
            interpolated |= text[i] == '$';
            verbatim |= text[i] == '@';
            i++;
        }
        i++;
        var holes = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (holes > 0)
            {
                if (c == '"')
                {
                    i = SkipString(text, i) - 1;
                }
                else if (c == '{')
                {
                    holes++;
                }
                else if (c == '}')
                {
                    holes--;
                }
                continue;
            }
            if (c == '\\' && !verbatim)
            {
                i++;
            }
            else if (interpolated && c == '{')
            {
                if (i + 1 < text.Length && text[i + 1] == '{')
                {
                    i++;
                }
                else
                {
                    holes = 1;
                }
            }
            else if (c == '"')
            {
                if (verbatim && i + 1 < text.Length && text[i + 1] == '"')
                {
                    i++;
                    continue;
                }
                return i + 1;
            }
        }
        return text.Length;
    }

    private static IReadOnlyList<MessageDescriptor> Reachable(IEnumerable<MessageDescriptor> roots)
    {
        var seen = new Dictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        var pending = new Queue<MessageDescriptor>(roots);
        while (pending.TryDequeue(out var message))
        {
            if (seen.TryAdd(message.FullName, message))
            {
                foreach (var field in message.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message))
                {
                    pending.Enqueue(field.MessageType);
                }
            }
        }
        return [.. seen.Values];
    }

    private enum NameKind
    {
        Path,
        Suffix,
        Unreadable,
    }

    private sealed record FieldName(string File, int Line, NameKind Kind, string Text);

    [GeneratedRegex(@"\b(?<name>[A-Z][A-Za-z0-9_]*)\s*(?:<[^<>()]*>)?\s*\((?=[^()]*\bstring\??\s+field\b)", RegexOptions.CultureInvariant)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^(?:this\s+)?string\??\s+field(?:\s*=\s*""(?<default>[^""]*)"")?$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldParameter();

    [GeneratedRegex(@"\b(?<name>[A-Z][A-Za-z0-9_]*)\s*(?:<[^<>()]*>)?\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex Call();

    [GeneratedRegex(@"^[ \t]*(?:var|string\??)\s+(?:field|[a-z][A-Za-z0-9]*Field)\s*=\s*(?<value>[^;]+);", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex FieldLocal();

    [GeneratedRegex(@"^""(?<text>[^""\\{}]*)""$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainLiteral();

    [GeneratedRegex(@"^\$""(?<text>[^""\\]*)""$", RegexOptions.CultureInvariant)]
    private static partial Regex Interpolated();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\s*\+\s*\$?""(?<text>[^""\\]*)""$", RegexOptions.CultureInvariant)]
    private static partial Regex Suffixed();

    [GeneratedRegex(@"\{[^{}]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex Hole();

    [GeneratedRegex(@"^(?<name>[a-z][A-Za-z0-9_]*)\s*:(?!:)\s*(?<value>.+)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex NamedArgument();
}
