using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using Google.Protobuf.WellKnownTypes;
using Domain = ActorSales.Domain;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Contracts;

/// <summary>
/// Domain and grain views to API messages, in one place: the gateway answers with these, the grains publish
/// events built from them. Domain enums share their numbers with the proto enums (a unit test holds them equal).
/// </summary>
public static class ContractMapper
{
    /// <summary>The computed grade with its factors, beside the hand-set tier.</summary>
    public static V1.GetCustomerGradeResponse ToContract(this CustomerGradeView view)
    {
        var response = new V1.GetCustomerGradeResponse
        {
            CustomerId = view.CustomerId,
            Tier = (V1.CustomerTier)view.Tier,
            NextRecomputeAt = view.NextRecomputeAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
        };
        if (view.Grade is { } grade)
        {
            response.Grade = (V1.CustomerGrade)grade.Grade;
            response.Score = (double)grade.Score;
            response.ComputedAt = Timestamp.FromDateTimeOffset(grade.ComputedAt);
            response.Trigger = grade.Trigger;
            response.Factors.AddRange(grade.Factors.Select(f => new V1.GradeFactor
            {
                Factor = f.Factor,
                RawValue = (double)f.RawValue,
                Detail = f.Detail,
                Score = f.Score,
                Weight = f.Weight,
                Contribution = (double)f.Contribution,
            }));
        }
        response.History.AddRange(view.History.Select(h => new V1.GradeChange
        {
            PreviousGrade = (V1.CustomerGrade)h.From,
            Grade = (V1.CustomerGrade)h.To,
            Score = (double)h.Score,
            ChangedAt = Timestamp.FromDateTimeOffset(h.At),
            Trigger = h.Trigger,
        }));
        return response;
    }

    public static V1.Customer ToContract(this CustomerView view)
    {
        var customer = new V1.Customer
        {
            CustomerId = view.Id,
            Name = view.Details.Name,
            Company = view.Details.Company,
            Industry = view.Details.Industry,
            Tier = (V1.CustomerTier)view.Details.Tier,
            SourceChannel = (V1.SourceChannel)view.Details.SourceChannel,
            OwnerId = view.OwnerId,
            OwnerTeamId = view.OwnerTeamId,
            CreatedAt = Timestamp.FromDateTimeOffset(view.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(view.UpdatedAt),
            LastFollowUpAt = view.LastFollowUpAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            ActivityCount = view.ActivityCount,
            Version = view.Version,
            InPool = view.InPool,
            Locked = view.Locked,
            Address = view.Details.Address?.ToContract(),
            Grade = (V1.CustomerGrade)view.Grade,
            Location = view.Details.Location?.ToContract(),
            OriginLeadId = view.OriginLeadId ?? string.Empty,
            Unsubscribed = view.Details.Unsubscribed,
        };
        foreach (var contact in view.Details.Contacts)
        {
            customer.Contacts.Add(contact.ToContract());
        }
        return customer;
    }

    public static V1.Contact ToContract(this Domain.Customers.Contact contact) => new()
    {
        Name = contact.Name,
        Title = contact.Title,
        Phone = contact.Phone,
        Email = contact.Email,
        Key = contact.Key,
        PreferredChannel = (V1.ContactChannel)contact.PreferredChannel,
        Preferences = contact.Preferences,
    };

    public static V1.Address ToContract(this Domain.Customers.Address address) => new()
    {
        Street = address.Street,
        City = address.City,
        Region = address.Region,
        PostalCode = address.PostalCode,
        Country = address.Country,
    };

    public static V1.GeoPoint ToContract(this Domain.Customers.GeoPoint point) => new() { Latitude = point.Latitude, Longitude = point.Longitude };

    public static V1.Activity ToContract(this Domain.Customers.Activity activity)
    {
        var contract = activity.ToContractBase();
        if (activity.CheckIn is { } checkIn)
        {
            contract.CheckIn = new V1.VisitCheckIn
            {
                Location = checkIn.Point.ToContract(),
                CheckedInAt = Timestamp.FromDateTimeOffset(checkIn.At),
                PhotoReference = checkIn.PhotoReference,
            };
        }
        if (activity.Kind == Domain.Customers.ActivityKind.Visit)
        {
            contract.Effective = activity.Effective; // a visit without a check-in proves nothing: not effective
        }
        if (activity.DurationSeconds is { } seconds)
        {
            contract.DurationSeconds = seconds;
        }
        if (activity.DistanceMeters is { } distance)
        {
            contract.DistanceMeters = distance;
        }
        contract.OffSite = activity.OffSite;
        return contract;
    }

    private static V1.Activity ToContractBase(this Domain.Customers.Activity activity) => new()
    {
        Sequence = activity.Sequence,
        Kind = (V1.ActivityKind)activity.Kind,
        OccurredAt = Timestamp.FromDateTimeOffset(activity.OccurredAt),
        Summary = activity.Summary,
        NextAction = activity.NextAction ?? string.Empty,
        NextActionDueAt = activity.NextActionDueAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
        Location = activity.Location?.ToContract(),
        LoggedBy = activity.LoggedBy,
        LoggedAt = Timestamp.FromDateTimeOffset(activity.LoggedAt),
    };

    public static V1.Salesperson ToContract(this SalespersonView view) => new()
    {
        SalespersonId = view.Id,
        Name = view.Profile.Name,
        Email = view.Profile.Email,
        Role = (V1.Role)view.Profile.Role,
        TeamId = view.Profile.TeamId,
        ManagerId = view.ManagerId ?? string.Empty,
        Status = (V1.SalespersonStatus)view.Status,
        OwnedCustomerCount = view.OwnedCustomerCount,
        Version = view.Version,
        CreatedAt = Timestamp.FromDateTimeOffset(view.CreatedAt),
    };

    public static V1.Team ToContract(this TeamView view)
    {
        var team = new V1.Team
        {
            TeamId = view.Id,
            Name = view.Profile.Name,
            ManagerId = view.ManagerId ?? string.Empty,
            Region = view.Profile.Region,
            TimeZone = view.Profile.TimeZone,
            Version = view.Version,
            CreatedAt = Timestamp.FromDateTimeOffset(view.CreatedAt),
            DirectorId = view.DirectorId ?? string.Empty,
        };
        team.MemberIds.AddRange(view.MemberIds);
        return team;
    }

    public static V1.Money ToContract(this Domain.Pipeline.Money money) => new()
    {
        Amount = money.Amount.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
        Currency = money.Currency,
    };

    public static V1.EvidenceItem ToContract(this Domain.Pipeline.Evidence evidence) => new()
    {
        Kind = evidence.Kind,
        Reference = evidence.Reference,
        Note = evidence.Note,
        AddedBy = evidence.AddedBy,
        AddedAt = Timestamp.FromDateTimeOffset(evidence.AddedAt),
    };

    public static V1.StageChange ToContract(this StageChangeRecord change) => new()
    {
        FromStage = change.From ?? string.Empty,
        ToStage = change.To,
        At = Timestamp.FromDateTimeOffset(change.At),
        By = change.By,
        Reason = change.Reason,
    };

    public static V1.Opportunity ToContract(this OpportunityView view)
    {
        var opportunity = new V1.Opportunity
        {
            OpportunityId = view.Id,
            CustomerId = view.CustomerId,
            OwnerId = view.OwnerId,
            OwnerTeamId = view.OwnerTeamId,
            Title = view.Terms.Title,
            Value = view.Terms.Value.ToContract(),
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(view.Terms.ExpectedCloseAt),
            PipelineKey = view.PipelineKey,
            PipelineVersion = view.PipelineVersion,
            Stage = view.Stage,
            StageEnteredAt = Timestamp.FromDateTimeOffset(view.StageEnteredAt),
            Signal = (V1.ForecastSignal)view.Signal,
            WeightedValue = new Domain.Pipeline.Money(view.WeightedAmount, view.Terms.Value.Currency).ToContract(),
            ContractReviewAt = view.ContractReviewAt is { } review ? Timestamp.FromDateTimeOffset(review) : null,
            Status = (V1.OpportunityStatus)view.Status,
            LostReason = view.LostReason ?? string.Empty,
            LostNote = view.LostNote ?? string.Empty,
            Version = view.Version,
            CreatedAt = Timestamp.FromDateTimeOffset(view.CreatedAt),
            PendingApprovalId = view.PendingApprovalId ?? string.Empty,
            NextAction = view.NextAction ?? string.Empty,
            NextActionDueAt = view.NextActionDueAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
            StallLevel = (V1.StallLevel)view.StallLevel,
            NeedsIntervention = view.NeedsIntervention,
            SignalChangedAt = view.SignalChangedAt is { } changed ? Timestamp.FromDateTimeOffset(changed) : null,
            WinFactor = view.WinFactor ?? string.Empty,
            WinNote = view.WinNote ?? string.Empty,
        };
        opportunity.History.AddRange(view.History.Select(h => h.ToContract()));
        opportunity.Evidence.AddRange(view.Evidence.Select(e => e.ToContract()));
        opportunity.DecisionMakers.AddRange(view.DecisionMakers.Select(d => new V1.DecisionMaker { Name = d.Name, Title = d.Title, Email = d.Email, Phone = d.Phone }));
        return opportunity;
    }

    public static V1.Pipeline ToContract(this Domain.Pipeline.PipelineDefinition definition)
    {
        var pipeline = new V1.Pipeline { Key = definition.Key, Version = definition.Version, Name = definition.Name, AllowSkipping = definition.AllowSkipping };
        foreach (var stage in definition.Stages)
        {
            var item = new V1.PipelineStage
            {
                Key = stage.Key,
                DisplayName = stage.DisplayName,
                WarningAge = stage.WarningAge is { } warning ? Duration.FromTimeSpan(warning) : null,
                LimitAge = stage.LimitAge is { } limit ? Duration.FromTimeSpan(limit) : null,
            };
            item.RequiredEvidenceToLeave.AddRange(stage.RequiredEvidenceToLeave);
            item.RequiredEvidenceToEnter.AddRange(stage.RequiredEvidenceToEnter);
            pipeline.Stages.Add(item);
        }
        return pipeline;
    }

    public static V1.Approval ToContract(this ApprovalView view) => new()
    {
        ApprovalId = view.Id,
        OpportunityId = view.OpportunityId,
        OwnerId = view.OwnerId,
        OwnerTeamId = view.OwnerTeamId,
        ApproverId = view.ApproverId,
        Value = view.Value.ToContract(),
        Status = (V1.ApprovalStatus)view.Status,
        RequestedAt = Timestamp.FromDateTimeOffset(view.RequestedAt),
        DecidedBy = view.DecidedBy ?? string.Empty,
        DecidedAt = view.DecidedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        Comment = view.Comment ?? string.Empty,
        EscalatedToId = view.EscalatedToId ?? string.Empty,
        EscalatedAt = view.EscalatedAt is { } escalated ? Timestamp.FromDateTimeOffset(escalated) : null,
    };

    public static V1.DepartmentTask ToContract(this DepartmentTaskView view) => new()
    {
        TaskId = view.Id,
        Department = view.Department,
        Title = view.Title,
        OpportunityId = view.OpportunityId,
        Stage = view.Stage,
        DueAt = Timestamp.FromDateTimeOffset(view.DueAt),
        Status = (V1.DepartmentTaskStatus)view.Status,
        AssigneeId = view.AssigneeId ?? string.Empty,
        CreatedAt = Timestamp.FromDateTimeOffset(view.CreatedAt),
        CompletedAt = view.CompletedAt is { } done ? Timestamp.FromDateTimeOffset(done) : null,
        Note = view.Note ?? string.Empty,
    };

    public static V1.Department ToContract(this DepartmentView view)
    {
        var department = new V1.Department { DepartmentId = view.Id, Version = view.Version, LeadId = view.LeadId ?? string.Empty };
        department.MemberIds.AddRange(view.MemberIds);
        return department;
    }

    public static V1.Notification ToContract(this Domain.Deadlines.Notification notification) => new()
    {
        NotificationId = notification.Id,
        Kind = notification.Kind,
        Severity = (V1.NotificationSeverity)notification.Severity,
        EntityType = notification.EntityType,
        EntityId = notification.EntityId,
        Message = notification.Message,
        CreatedAt = Timestamp.FromDateTimeOffset(notification.CreatedAt),
        Read = notification.Read,
    };

    public static V1.PoolEntry ToContract(this PoolEntry entry) => new()
    {
        CustomerId = entry.CustomerId,
        Name = entry.Name,
        Tier = (V1.CustomerTier)entry.Tier,
        Industry = entry.Industry,
        ReleasedAt = Timestamp.FromDateTimeOffset(entry.ReleasedAt),
        PreviousOwnerId = entry.PreviousOwnerId,
    };
}
