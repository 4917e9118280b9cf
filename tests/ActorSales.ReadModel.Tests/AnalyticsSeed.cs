using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel.Tests;

/// <summary>
/// A known world for the analytics figures, every time a whole number of days after <see cref="T0"/> (Monday
/// 2026-03-02 09:00 UTC). Team a (region EMEA): rep-a1, rep-a2, manager mgr-a; team b: rep-b1. Pipeline "default"
/// (stages <see cref="DefaultStages"/>) and "hospital" (one stage, Screening). The expected figures are worked out in
/// the tests' comments.
/// </summary>
public static class AnalyticsSeed
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static readonly string[] DefaultStages = ["NeedsConfirmed", "ProposalSubmitted", "PriceNegotiation", "ContractApproval"];

    public static DateTimeOffset Day(double days) => T0 + TimeSpan.FromDays(days);

    public static EventBuilder Build()
    {
        var b = new EventBuilder(T0);
        var close = Day(90);
        b.Team("team-a", "Team A", "EMEA", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "Team B", "APAC", "mgr-b", "rep-b1");

        // Customers. Complete (default fields: industry, phone, contact_name, address): c1 and c6.
        b.Customer("c1", "Clinic One", "team-a", "rep-a1", industry: "Health", contacts: ("Anna", "+49 30 1111", "anna@one.example"));
        b.UpdateCustomer("c1", c => c.Address = new Address { Street = "Main 1", City = "Berlin" }, "address");
        b.Customer("c2", "Clinic Two", "team-a", "rep-a2", industry: "Health", contacts: ("Ben", "", "ben@two.example")); // no phone, no address
        b.Now = Day(2);
        b.Customer("c3", "Clinic Three", "team-a", "rep-a1", contacts: ("Cleo", "+49 30 3333", "")); // no industry, no address
        b.Now = Day(10);
        b.Customer("c4", "Clinic Four", "team-a", "rep-a2", industry: "Labs", contacts: ("Dan", "+49 30 4444", "")); // no address
        b.Now = Day(0);
        b.Customer("c5", "Clinic Five", "team-b", "rep-b1", industry: "Health", contacts: ("Eve", "+61 2 5555", ""));
        b.Now = Day(-5);
        b.Customer("c6", "Clinic Six", "team-a", "rep-a1", industry: "Health", contacts: ("Fay", "+49 30 6666", ""));
        b.UpdateCustomer("c6", c => c.Address = new Address { City = "Hamburg" }, "address");

        // First contacts and visits.
        b.Now = Day(1);
        b.Activity("c1", ActivityKind.Visit, "site tour", isFollowUp: true); // c1 met its SLA; rep-a1's effective visit
        b.Now = Day(2);
        b.Activity("c1", ActivityKind.Visit, "", isFollowUp: false); // a visit without a summary
        b.Now = Day(3);
        b.Activity("c1", ActivityKind.Call, "pricing call", isFollowUp: true);
        b.Overdue("c2", "new-customer-first-contact"); // c2 missed its SLA...
        b.Now = Day(6);
        b.Activity("c2", ActivityKind.Visit, "late first visit", isFollowUp: true); // ...and stays missed; rep-a2's effective visit
        b.Now = Day(5);
        b.Overdue("c3", "new-customer-first-contact"); // c3 missed
        b.Now = Day(40);
        b.Activity("c3", ActivityKind.Meeting, "finally met", isFollowUp: true);
        b.Now = Day(31);
        b.Activity("c4", ActivityKind.Visit, "", isFollowUp: false); // after the period, and no summary: c4 stays pending

        // Pipeline "default", team a.
        b.Now = Day(0);
        b.Opportunity("o1", "c1", 1000m, "EUR", close);
        b.Evidence("o1", "meeting_minutes");
        b.Now = Day(2);
        b.Stage("o1", "ProposalSubmitted");
        b.Evidence("o1", "proposal_document");
        b.Evidence("o1", "quote");
        b.Now = Day(7);
        b.Stage("o1", "PriceNegotiation");
        b.Now = Day(17);
        b.Won("o1");

        b.Now = Day(1);
        b.Opportunity("o2", "c1", 2000m, "EUR", close);
        b.Evidence("o2", "meeting_minutes");
        b.Now = Day(4);
        b.Stage("o2", "ProposalSubmitted");
        b.Now = Day(6);
        b.Lost("o2", "price");

        b.Now = Day(2);
        b.Opportunity("o3", "c2", 3000m, "EUR", close);
        b.Now = Day(8);
        b.Lost("o3", "competitor");

        b.Now = Day(3);
        b.Opportunity("o4", "c2", 4000m, "EUR", close);
        b.Evidence("o4", "meeting_minutes");
        b.Evidence("o4", "site_photos"); // not a key action

        b.Now = Day(1);
        b.Opportunity("o5", "c2", 5000m, "EUR", close);
        b.Evidence("o5", "meeting_minutes");
        b.Now = Day(2);
        b.Stage("o5", "ProposalSubmitted");
        b.Evidence("o5", "proposal_document");
        b.Now = Day(3);
        b.Stage("o5", "NeedsConfirmed"); // back
        b.Now = Day(9);
        b.Stage("o5", "ProposalSubmitted");

        // Team b.
        b.Now = Day(0);
        b.Opportunity("o6", "c5", 6000m, "EUR", close);
        b.Now = Day(1);
        b.Stage("o6", "ProposalSubmitted");

        // Pipeline "hospital": open deals for the heatmap, wins for the cycle times.
        b.Now = Day(25);
        b.Opportunity("o7", "c1", 700m, "EUR", close, "hospital", "Screening");
        b.Stall("o7", StallLevel.Yellow);
        b.Now = Day(22);
        b.Opportunity("o8", "c1", 800m, "EUR", close, "hospital", "Screening");
        b.Now = Day(29);
        b.Stall("o8", StallLevel.Red); // the system's change: not an update by its people
        b.Now = Day(-20);
        b.Opportunity("o9", "c6", 900m, "EUR", close, "hospital", "Screening");
        b.Now = Day(-1);
        b.Stall("o9", StallLevel.Red);

        b.Now = Day(4);
        b.Opportunity("o10", "c2", 100m, "EUR", close, "hospital", "Screening");
        b.Now = Day(14);
        b.Won("o10");
        b.Now = Day(5);
        b.Opportunity("o12", "c2", 120m, "EUR", close, "hospital", "Screening");
        b.Now = Day(12);
        b.Won("o12");
        b.Now = Day(30);
        b.Opportunity("o11", "c3", 110m, "EUR", close, "hospital", "Screening");
        b.Now = Day(33);
        b.Won("o11");

        // Registrations refused as duplicates.
        b.Now = Day(1);
        b.Refused("attempt-1", "team-a", "rep-a1", "c1");
        b.Now = Day(40);
        b.Refused("attempt-2", "team-a", "rep-a1", "c1");
        b.Now = Day(2);
        b.Refused("attempt-3", "team-b", "rep-b1", "c5");
        return b;
    }
}
