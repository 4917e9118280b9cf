using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Every unary RPC of every service, called with hostile but well-formed messages: empty, 100 kB strings, extreme
/// numbers, unknown enum values, 2,000-element lists, out-of-range timestamps. None may answer INTERNAL or UNKNOWN, and
/// every refusal must name a field of the request as the client spells it (the host's <see cref="FieldNameCheck"/>
/// throws <see cref="FieldNameViolationException"/> otherwise). Then every RPC again, one hostile field at a time in an
/// otherwise plausible request, so each field's own validation is reached and its error's field name checked.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class HostileInputTests(HostFixture fixture)
{
    private static IReadOnlyList<FileDescriptor> Files => ApiSurface.Files;

    public static TheoryData<string, string> Calls()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Where(m => !m.IsClientStreaming && !m.IsServerStreaming))
        {
            foreach (var variant in new[] { "empty", "huge", "extreme" })
            {
                data.Add(method.FullName, variant);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Hostile_well_formed_requests_never_get_internal_or_unknown(string methodName, string variant)
    {
        var method = Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Single(m => m.FullName == methodName);
        var request = Build(method.InputType, variant, depth: 0);
        var host = fixture.Host;

        foreach (var caller in new[] { host.Admin, host.As("nobody", "rep") })
        {
            var status = await CallAsync(method, request, caller);
            Assert.True(status is not (StatusCode.Internal or StatusCode.Unknown), $"{methodName} ({variant}) answered {status}");
        }
    }

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var method in Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Where(m => !m.IsClientStreaming))
        {
            data.Add(method.FullName);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task One_hostile_field_at_a_time_is_refused_naming_a_field_of_the_request(string methodName)
    {
        var method = Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Single(m => m.FullName == methodName);
        var problems = new List<string>();
        var refused = 0;

        foreach (var (variant, request) in OneHostileField(method.InputType))
        {
            try
            {
                var status = await CallAsync(method, request, fixture.Host.Admin);
                refused += status == StatusCode.InvalidArgument ? 1 : 0;
                if (status is StatusCode.Internal or StatusCode.Unknown)
                {
                    problems.Add($"{variant}: answered {status}");
                }
            }
            catch (FieldNameViolationException violation)
            {
                problems.Add($"{variant}: {violation.Message}");
            }
        }

        Assert.True(problems.Count == 0, $"{methodName}:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
        Assert.True(method.InputType.Fields.InDeclarationOrder().Count == 0 || refused > 0, $"{methodName}: no hostile field was refused as INVALID_ARGUMENT");
    }

    /// <summary>Calls any RPC with a message; a streaming call is read until its first message, its end or half a second.</summary>
    private async Task<StatusCode> CallAsync(MethodDescriptor method, IMessage request, Metadata caller)
    {
        var call = new Method<IMessage, IMessage>(method.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.OutputType.Parser.ParseFrom(bytes)));
        try
        {
            if (method.IsServerStreaming)
            {
                // A request the server accepts streams until cancelled: a deadline ends it as "accepted".
                using var stream = fixture.Host.Channel.AsyncServerStreamingCall(call, null, new CallOptions(caller, DateTime.UtcNow.AddMilliseconds(500)), request);
                await stream.ResponseStream.MoveNext(CancellationToken.None);
            }
            else
            {
                await fixture.Host.Channel.AsyncUnaryCall(call, null, new CallOptions(caller), request);
            }
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            Assert.DoesNotContain("Exception", exception.Status.Detail, StringComparison.Ordinal);
            return exception.StatusCode is StatusCode.DeadlineExceeded && method.IsServerStreaming ? StatusCode.OK : exception.StatusCode;
        }
    }

    /// <summary>A plausible request with one field (at any depth) made hostile, for every field and every hostile value of its type.</summary>
    private static IEnumerable<(string Variant, IMessage Request)> OneHostileField(MessageDescriptor descriptor)
    {
        foreach (var (path, chain) in Fields(descriptor, string.Empty, [], depth: 0))
        {
            foreach (var (label, apply) in HostileValues(chain[^1]))
            {
                var request = Plausible(descriptor, depth: 0);
                var parent = request;
                foreach (var step in chain.SkipLast(1))
                {
                    // Plausible filled the messages on the way (lists with one entry) but for oneof members.
                    if (step.IsRepeated)
                    {
                        parent = (IMessage)((System.Collections.IList)step.Accessor.GetValue(parent))[0]!;
                        continue;
                    }
                    if (step.Accessor.GetValue(parent) is not IMessage inner)
                    {
                        inner = Plausible(step.MessageType, depth: 1);
                        step.Accessor.SetValue(parent, inner);
                    }
                    parent = inner;
                }
                apply(parent, chain[^1]);
                yield return ($"{path} = {label}", request);
            }
        }
    }

    /// <summary>Every field path, entering nested messages (a list's first entry) down to three levels.</summary>
    private static IEnumerable<(string Path, List<FieldDescriptor> Chain)> Fields(MessageDescriptor descriptor, string prefix, List<FieldDescriptor> chain, int depth)
    {
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            var path = prefix + field.Name;
            List<FieldDescriptor> here = [.. chain, field];
            yield return (path, here);
            if (field.FieldType == FieldType.Message && !IsWellKnown(field.MessageType) && !field.IsMap && depth < 2)
            {
                foreach (var inner in Fields(field.MessageType, path + (field.IsRepeated ? "[0]." : "."), here, depth + 1))
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool IsWellKnown(MessageDescriptor message) => message.File.Package == "google.protobuf";

    /// <summary>Hostile values for one field, each a label and how to put it into the field's message.</summary>
    private static IEnumerable<(string Label, Action<IMessage, FieldDescriptor> Apply)> HostileValues(FieldDescriptor field)
    {
        if (field.IsRepeated)
        {
            yield return ("2,000 entries", (m, f) =>
            {
                var list = (System.Collections.IList)f.Accessor.GetValue(m);
                list.Clear();
                for (var i = 0; i < 2_000; i++)
                {
                    list.Add(PlausibleValue(f, 1));
                }
            });
            yield return ("no entries", (m, f) => ((System.Collections.IList)f.Accessor.GetValue(m)).Clear());
            if (field.FieldType is not FieldType.Message)
            {
                foreach (var (label, value) in HostileScalars(field))
                {
                    yield return ($"[{label}]", (m, f) =>
                    {
                        var list = (System.Collections.IList)f.Accessor.GetValue(m);
                        list.Clear();
                        list.Add(value);
                    });
                }
            }
            yield break;
        }
        if (field.FieldType == FieldType.Message)
        {
            yield return ("unset", (m, f) => f.Accessor.Clear(m));
            if (field.MessageType.FullName == Timestamp.Descriptor.FullName)
            {
                foreach (var (label, value) in new (string, Timestamp)[]
                {
                    ("seconds max", new Timestamp { Seconds = long.MaxValue }),
                    ("negative nanos", new Timestamp { Seconds = 0, Nanos = -1 }),
                    ("9999-12-31", new Timestamp { Seconds = 253_402_300_799 }),
                    ("0001-01-01", new Timestamp { Seconds = -62_135_596_800 }),
                })
                {
                    yield return (label, (m, f) => f.Accessor.SetValue(m, value));
                }
            }
            else if (field.MessageType.FullName == Duration.Descriptor.FullName)
            {
                foreach (var (label, value) in new (string, Duration)[]
                {
                    ("negative", new Duration { Seconds = -5 }),
                    ("seconds max", new Duration { Seconds = long.MaxValue }),
                    ("inconsistent signs", new Duration { Seconds = 1, Nanos = -1 }),
                    ("zero", new Duration()),
                })
                {
                    yield return (label, (m, f) => f.Accessor.SetValue(m, value));
                }
            }
            yield break;
        }
        foreach (var (label, value) in HostileScalars(field))
        {
            yield return (label, (m, f) => f.Accessor.SetValue(m, value));
        }
    }

    private static IEnumerable<(string Label, object Value)> HostileScalars(FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.String:
                yield return ("empty", string.Empty);
                yield return ("control characters", "\u0000\u0007x");
                yield return ("100 kB", new string('x', 100_000));
                break;
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                yield return ("-1", -1);
                yield return ("max", int.MaxValue);
                break;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                yield return ("-1", -1L);
                yield return ("max", long.MaxValue);
                break;
            case FieldType.Double:
                yield return ("NaN", double.NaN);
                yield return ("infinity", double.PositiveInfinity);
                yield return ("1e9", 1e9);
                break;
            case FieldType.Enum:
                yield return ("unspecified", 0);
                yield return ("undefined 99", 99);
                break;
        }
    }

    /// <summary>A request a client could plausibly send: ids, text, dates and enums that look right, oneofs left unset.</summary>
    private static IMessage Plausible(MessageDescriptor descriptor, int depth)
    {
        var message = (IMessage)System.Activator.CreateInstance(descriptor.ClrType)!;
        foreach (var field in descriptor.Fields.InDeclarationOrder().Where(f => f.RealContainingOneof is null))
        {
            if (PlausibleValue(field, depth) is not { } value)
            {
                continue;
            }
            if (field.IsRepeated)
            {
                ((System.Collections.IList)field.Accessor.GetValue(message)).Add(value);
            }
            else
            {
                field.Accessor.SetValue(message, value);
            }
        }
        return message;
    }

    private static object? PlausibleValue(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.String => field.Name switch
        {
            "email" => "sweep@example.com",
            "amount" => "100",
            "currency" => "EUR",
            "country" => "DE",
            "phone" => "+49 30 1234567",
            "time_zone" => "Europe/Berlin",
            "last_working_day" => DateTime.UtcNow.AddDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            "reference" => "https://example.com/sweep",
            "approval_id" => "sweep-1/approval/1",
            "event_types" => "customer_registered",
            "update_paths" => "name",
            "reason" => "other",
            "page_token" => null, // only a token the server issued is plausible
            _ => "sweep-1", // an id and a name at once
        },
        FieldType.Double => 10.0,
        FieldType.Enum => field.EnumType.Values.FirstOrDefault(v => v.Number != 0)?.Number,
        FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName =>
            Timestamp.FromDateTime(field.Name is "from" or "from_time" or "occurred_at" ? DateTime.UtcNow.AddHours(-1) : DateTime.UtcNow.AddDays(7)),
        FieldType.Message when field.MessageType.FullName == Duration.Descriptor.FullName => Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        FieldType.Message when !IsWellKnown(field.MessageType) && depth < 3 => Plausible(field.MessageType, depth + 1),
        _ => null, // numbers and flags: 0 and false are the defaults a client sends
    };

    private static IMessage Build(MessageDescriptor descriptor, string variant, int depth)
    {
        var message = (IMessage)System.Activator.CreateInstance(descriptor.ClrType)!;
        if (variant == "empty" || depth > 2)
        {
            return message;
        }
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            var value = Value(field, variant, depth);
            if (value is null)
            {
                continue;
            }
            if (field.IsRepeated)
            {
                // 2,000 entries at the top level, a few below it: hostile, but a message a client can still send.
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                var count = depth == 0 ? 2_000 : 3;
                var entry = field.FieldType == FieldType.String ? new string('x', 300) : value;
                for (var i = 0; i < count; i++)
                {
                    list.Add(field.FieldType == FieldType.Message ? Build(field.MessageType, "extreme", depth + 1) : entry);
                }
            }
            else if (field.RealContainingOneof is null || field.RealContainingOneof.Fields[0] == field)
            {
                field.Accessor.SetValue(message, value);
            }
        }
        return message;
    }

    private static object? Value(FieldDescriptor field, string variant, int depth) => field.FieldType switch
    {
        FieldType.String => variant == "huge" ? new string('x', 100_000) : "\u0000'; DROP TABLE orleansquery; --",
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => variant == "huge" ? int.MaxValue : int.MinValue,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => variant == "huge" ? long.MaxValue : long.MinValue,
        FieldType.Double => variant == "huge" ? double.MaxValue : double.NaN,
        FieldType.Bool => true,
        FieldType.Enum => 99,
        FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName =>
            variant == "huge" ? new Timestamp { Seconds = long.MaxValue } : new Timestamp { Seconds = -1, Nanos = int.MinValue },
        FieldType.Message when field.MessageType.FullName == Duration.Descriptor.FullName =>
            variant == "huge" ? new Duration { Seconds = long.MaxValue } : new Duration { Seconds = -5, Nanos = int.MaxValue },
        FieldType.Message => depth < 2 ? Build(field.MessageType, variant, depth + 1) : null,
        _ => null,
    };
}
