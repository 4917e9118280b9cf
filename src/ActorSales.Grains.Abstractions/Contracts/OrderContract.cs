using System.Globalization;
using ActorSales.Domain.Orders;
using ActorSales.Grains.Abstractions.Orders;
using Google.Protobuf.WellKnownTypes;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Contracts;

/// <summary>Orders in their published form (orders.proto), with paid and overdue figures as of a time.</summary>
public static class OrderContract
{
    public static V1.Order ToContract(this OrderView order, DateTimeOffset asOf)
    {
        var paid = order.Paid;
        var perInstalment = OrderRules.PaidPerInstalment(order.Plan, paid);
        var contract = new V1.Order
        {
            OrderId = order.Id,
            CustomerId = order.CustomerId,
            OwnerId = order.OwnerId,
            TeamId = order.TeamId,
            Currency = order.Currency,
            Total = OrderRules.Text(order.Total),
            Terms = (V1.PaymentTerms)order.Terms,
            Paid = OrderRules.Text(paid),
            Outstanding = OrderRules.Text(order.Total - paid),
            Status = (V1.OrderStatus)order.Status,
            CancelReason = order.CancelReason ?? string.Empty,
            CreatedAt = Timestamp.FromDateTimeOffset(order.CreatedAt),
            CreatedBy = order.CreatedBy,
            Version = order.Version,
            AsOf = Timestamp.FromDateTimeOffset(asOf),
        };
        contract.Lines.AddRange(order.Lines.Select(l => new V1.OrderLine
        {
            Name = l.Name,
            ProductLine = l.ProductLine,
            Quantity = l.Quantity.ToString("0.####", CultureInfo.InvariantCulture),
            UnitPrice = OrderRules.Text(l.UnitPrice),
            DiscountPercent = l.DiscountPercent.ToString("0.##", CultureInfo.InvariantCulture),
            Total = OrderRules.Text(l.Total),
        }));
        var overdue = 0m;
        for (var i = 0; i < order.Plan.Count; i++)
        {
            var instalment = order.Plan[i];
            var late = order.Status == OrderStatus.Open && instalment.DueAt <= asOf && perInstalment[i] < instalment.Amount;
            overdue += late ? instalment.Amount - perInstalment[i] : 0;
            contract.Instalments.Add(new V1.Instalment
            {
                Number = instalment.Number,
                DueAt = Timestamp.FromDateTimeOffset(instalment.DueAt),
                Amount = OrderRules.Text(instalment.Amount),
                Paid = OrderRules.Text(perInstalment[i]),
                Overdue = late,
            });
        }
        contract.OverdueAmount = OrderRules.Text(overdue);
        contract.Payments.AddRange(order.Payments.Select(ToContract));
        return contract;
    }

    public static V1.Payment ToContract(Payment payment)
    {
        var contract = new V1.Payment
        {
            PaymentId = payment.PaymentId,
            Amount = OrderRules.Text(payment.Amount),
            ReceivedAt = Timestamp.FromDateTimeOffset(payment.ReceivedAt),
            BankReference = payment.BankReference,
            EvidenceReference = payment.EvidenceReference,
            TermType = (V1.PaymentTerms)payment.TermType,
            RecordedBy = payment.RecordedBy,
            RecordedAt = Timestamp.FromDateTimeOffset(payment.RecordedAt),
            Reversed = payment.Reversed,
            ReversedBy = payment.ReversedBy ?? string.Empty,
            ReversalReason = payment.ReversalReason ?? string.Empty,
        };
        if (payment.ReversedAt is { } at)
        {
            contract.ReversedAt = Timestamp.FromDateTimeOffset(at);
        }
        return contract;
    }
}
