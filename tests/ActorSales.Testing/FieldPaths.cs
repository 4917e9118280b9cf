using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;

namespace ActorSales.Testing;

/// <summary>
/// Field paths as error messages spell them ("a", "a.b", "a[3].b", "a, b"), resolved against a request descriptor,
/// so a test can tell whether a client could find the field an INVALID_ARGUMENT names.
/// </summary>
public static partial class FieldPaths
{
    /// <summary>
    /// The path a "path: problem" detail starts with, or null when the detail does not start with one. A path is
    /// snake_case names joined by '.', each optionally indexed ("[3]", or a map key), alternatives joined by ", ".
    /// </summary>
    public static string? LeadingPath(string? detail)
    {
        var match = Leading().Match(detail ?? string.Empty);
        return match.Success ? match.Groups["path"].Value : null;
    }

    /// <summary>
    /// Whether <paramref name="path"/> names a field of <paramref name="descriptor"/>: every alternative must resolve,
    /// nested messages are entered with '.', a repeated message field needs an index before it can be entered (a
    /// repeated field may be named whole or with an index), a map field takes a key, and a oneof may be named by its
    /// name as the last segment. <paramref name="problem"/> says what did not resolve.
    /// </summary>
    public static bool TryResolve(MessageDescriptor descriptor, string path, out string problem)
    {
        foreach (var alternative in path.Split(','))
        {
            if (!TryResolveOne(descriptor, alternative.Trim(), out problem))
            {
                return false;
            }
        }
        problem = string.Empty;
        return true;
    }

    public static bool Resolves(MessageDescriptor descriptor, string path) => TryResolve(descriptor, path, out _);

    private static bool TryResolveOne(MessageDescriptor descriptor, string path, out string problem)
    {
        var segments = path.Split('.');
        MessageDescriptor? current = descriptor;
        var walked = string.Empty;
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            var match = Segment().Match(segments[i]);
            if (!match.Success)
            {
                problem = $"'{path}': '{segments[i]}' is not a field name (snake_case, optionally [index])";
                return false;
            }
            if (current is null)
            {
                problem = $"'{path}': '{walked}' is not a message, so it has no field '{segments[i]}'";
                return false;
            }
            var name = match.Groups["name"].Value;
            var index = match.Groups["index"];
            var field = current.FindFieldByName(name);
            if (field is null)
            {
                var oneof = current.Oneofs.FirstOrDefault(o => !o.IsSynthetic && o.Name == name);
                if (oneof is not null && last && !index.Success)
                {
                    break;
                }
                problem = $"'{path}': {current.FullName} has no field{(oneof is null ? string.Empty : " (only a oneof, which has no sub-paths)")} '{name}'";
                return false;
            }
            walked = walked.Length == 0 ? segments[i] : walked + "." + segments[i];
            if (index.Success)
            {
                if (!field.IsRepeated)
                {
                    problem = $"'{path}': {current.FullName}.{name} is not repeated, so it takes no index";
                    return false;
                }
                if (field.IsMap)
                {
                    var value = field.MessageType.FindFieldByNumber(2);
                    current = value.FieldType == FieldType.Message ? value.MessageType : null;
                    continue;
                }
                if (!index.Value.All(char.IsAsciiDigit) || index.Value.Length == 0)
                {
                    problem = $"'{path}': {current.FullName}.{name} is a list, indexed by a number, not '{index.Value}'";
                    return false;
                }
            }
            else if (field.IsRepeated && !last)
            {
                problem = $"'{path}': {current.FullName}.{name} is {(field.IsMap ? "a map" : "a list")}; name the entry ({name}[...]) before its fields";
                return false;
            }
            current = field.FieldType is FieldType.Message or FieldType.Group ? field.MessageType : null;
        }
        problem = string.Empty;
        return true;
    }

    [GeneratedRegex(@"^(?<path>[a-z][a-z0-9_]*(?:\[[^\]]*\])?(?:\.[a-z][a-z0-9_]*(?:\[[^\]]*\])?)*(?:, [a-z][a-z0-9_]*(?:\[[^\]]*\])?(?:\.[a-z][a-z0-9_]*(?:\[[^\]]*\])?)*)*): ", RegexOptions.CultureInvariant)]
    private static partial Regex Leading();

    [GeneratedRegex(@"^(?<name>[a-z][a-z0-9_]*)(?:\[(?<index>[^\]]*)\])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Segment();
}
