using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Every unary RPC of every service, called with hostile but well-formed messages: empty, 100 kB strings, extreme
/// numbers, unknown enum values, 2,000-element lists, out-of-range timestamps. None may answer INTERNAL or UNKNOWN.
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
        var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.OutputType.Parser.ParseFrom(bytes)));
        var host = fixture.Host;

        foreach (var caller in new[] { host.Admin, host.As("nobody", "rep") })
        {
            var status = StatusCode.OK;
            try
            {
                await host.Channel.AsyncUnaryCall(call, null, new CallOptions(caller), request);
            }
            catch (RpcException exception)
            {
                status = exception.StatusCode;
                Assert.DoesNotContain("Exception", exception.Status.Detail, StringComparison.Ordinal);
            }
            Assert.True(status is not (StatusCode.Internal or StatusCode.Unknown), $"{methodName} ({variant}) answered {status}");
        }
    }

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
