using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel.Tests;

/// <summary>
/// The contract suite's world: two teams (East: manager mgr-a, reps rep-a1 and rep-a2; West: mgr-b, rep-b1, who is
/// leaving), six customers and three deals in every state a filter distinguishes. Times count from <see cref="T0"/>.
/// </summary>
public static class ReadModelSeed
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public const string Hospital = "c-hospital";   // 杭州市第一中心医院, rep-a1, tier A, followed up T0+2d, release warned
    public const string Acme = "c-acme";           // Acme GmbH, rep-a2, locked, followed up T0+10d
    public const string Beta = "c-beta";           // Beta Ltd, rep-b1 (West), a note only
    public const string Pooled = "c-pooled";       // Acme Holdings, released to East's pool
    public const string Aaron = "c-aaron";         // Aaron Acme Co, rep-a1: "acme" in the middle of its name
    public const string Gamma = "c-gamma";         // Gamma Medical, rep-a1, transferred from rep-a2

    public const string HospitalDeal = "o-hospital"; // open, 1,000,000 CNY, hospital pipeline, L2, yellow
    public const string AcmeDeal = "o-acme";         // won, 50,000 EUR
    public const string BetaDeal = "o-beta";         // lost, 20,000 EUR

    public static EventBuilder Build()
    {
        var b = new EventBuilder(T0);
        b.Team("team-a", "East Team", "East", "mgr-a", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "West Team", "West", "mgr-b", "mgr-b");
        b.Salesperson("mgr-a", "Mia Manager", Role.Manager, "team-a");
        b.Salesperson("rep-a1", "Alice Rep", Role.Rep, "team-a");
        b.Salesperson("rep-a2", "Bob Rep", Role.Rep, "team-a");
        b.Salesperson("mgr-b", "Max Manager", Role.Manager, "team-b");
        b.Salesperson("rep-b1", "Carol Rep", Role.Rep, "team-b");
        b.MemberJoined("team-b", "rep-b1");
        b.DepartureStarted("rep-b1", "team-b");

        b.Customer(Hospital, "杭州市第一中心医院", "team-a", "rep-a1", CustomerTier.A, "Healthcare", SourceChannel.Referral, "",
            ("王伟", "+86 138 0013 8000", "wang.wei@hzyy.cn"));
        b.Now = T0.AddDays(1);
        b.Customer(Acme, "Acme GmbH", "team-a", "rep-a2", CustomerTier.B, "Manufacturing", SourceChannel.MarketingEvent, "",
            ("Anna Schmidt", "+49 30 1234567", "anna@acme.de"));
        b.Now = T0.AddDays(2);
        b.Customer(Beta, "Beta Ltd", "team-b", "rep-b1", CustomerTier.C, "Retail", SourceChannel.Outbound);
        b.Activity(Hospital, ActivityKind.Visit, "met the head of cardiology", isFollowUp: true);
        b.Now = T0.AddDays(3);
        b.Customer(Pooled, "Acme Holdings", "team-a", "rep-a2", CustomerTier.C, "Manufacturing", SourceChannel.InboundWebForm);
        b.Customer(Aaron, "Aaron Acme Co", "team-a", "rep-a1", CustomerTier.B, "Retail", SourceChannel.Referral);
        b.Customer(Gamma, "Gamma Medical", "team-a", "rep-a2", CustomerTier.B, "Healthcare", SourceChannel.Referral);
        b.Now = T0.AddDays(4);
        b.Activity(Beta, ActivityKind.Note, "", isFollowUp: false);
        b.Release(Pooled);
        b.Transfer(Gamma, "rep-a1", "team-a");
        b.Lock(Acme);
        b.Opportunity(HospitalDeal, Hospital, 1_000_000m, "CNY", T0.AddDays(30), pipeline: "hospital", stage: "Screening");
        b.Opportunity(AcmeDeal, Acme, 50_000m, "EUR", T0.AddDays(60));
        b.Opportunity(BetaDeal, Beta, 20_000m, "EUR", T0.AddDays(45));
        b.Now = T0.AddDays(6);
        b.Signal(HospitalDeal, ForecastSignal.L2);
        b.Stage(AcmeDeal, "ProposalSubmitted");
        b.Task("task-1", HospitalDeal);
        b.Now = T0.AddDays(8);
        b.Stall(HospitalDeal, StallLevel.Yellow);
        b.Won(AcmeDeal);
        b.Lost(BetaDeal);
        b.Now = T0.AddDays(10);
        b.Activity(Acme, ActivityKind.Call, "agreed the delivery plan", isFollowUp: true);
        b.ReleaseWarning(Hospital);
        return b;
    }
}
