using System.Globalization;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Orders;
using ActorSales.ReadModel;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Gateway.Mapping;

/// <summary>Orders' requests to domain drafts and read-model queries; every field checked, named as the client spells it.</summary>
public static class OrderMapper
{
    public const string OrderPages = "order-list";

    public static OrderDraft ToDraft(V1.CreateOrderRequest request)
    {
        if (request.Lines.Count > OrderRules.MaxLines)
        {
            throw new ValidationException("lines", $"must hold 1 to {OrderRules.MaxLines} lines");
        }
        if (request.Instalments.Count > OrderRules.MaxInstalments)
        {
            throw new ValidationException("instalments", $"must hold at most {OrderRules.MaxInstalments} instalments");
        }
        var lines = request.Lines.Select((l, i) => new OrderLine(
            l.Name, l.ProductLine,
            Number(l.Quantity, $"lines[{i}].quantity", required: true),
            Number(l.UnitPrice, $"lines[{i}].unit_price", required: true),
            Number(l.DiscountPercent, $"lines[{i}].discount_percent", required: false))).ToList();
        var plan = request.Instalments.Select((p, i) => new PlannedInstalment(
            RequestMapper.RequiredTimestamp(p.DueAt, $"instalments[{i}].due_at"), p.Amount)).ToList();
        return new OrderDraft(lines, request.Currency, (PaymentTerms)request.Terms, plan);
    }

    public static PaymentDraft ToDraft(V1.RecordPaymentRequest request) => new(
        $"pay-{Guid.NewGuid():N}",
        request.Amount,
        request.Currency,
        RequestMapper.OptionalTimestamp(request.ReceivedAt, "received_at"),
        request.BankReference,
        request.EvidenceReference,
        (PaymentTerms)request.TermType);

    public static OrderQuery ToQuery(V1.ListOrdersRequest request, DateTimeOffset now) => new(
        Domain.Identity.ReadScope.Everything,
        request.PageSize == 0 ? throw new ValidationException("page_size", $"is required: 1..{Limits.MaxPageSize}") : Paging.PageSize(request.PageSize),
        Paging.DecodeToken(request.PageToken, OrderPages) switch
        {
            null => null,
            { Length: 0 } => throw new ValidationException("page_token", "is not a token returned by this list; start again without a token"),
            var cursor => cursor,
        },
        RequestMapper.OptionalId(request.CustomerId, "customer_id"),
        RequestMapper.OptionalId(request.OwnerId, "owner_id"),
        RequestMapper.OptionalId(request.TeamId, "team_id"),
        request.Status == V1.OrderStatus.Unspecified ? null : Guard.Enum(request.Status, "status"),
        request.OverdueOnly ? now : null);

    /// <summary>A decimal in invariant text (at most 32 characters); empty is 0 unless required. Ranges are the rules' to check.</summary>
    private static decimal Number(string text, string field, bool required)
    {
        if (text.Length == 0 && !required)
        {
            return 0;
        }
        if (text.Length is 0 or > 32 || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new ValidationException(field, "must be a decimal number such as \"12.5\"");
        }
        return value;
    }
}
