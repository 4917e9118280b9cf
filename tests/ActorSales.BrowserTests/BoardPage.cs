using System.Collections.ObjectModel;
using System.Globalization;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace ActorSales.BrowserTests;

/// <summary>The board page as a person uses it: sign in, read the figures shown, choose a cell, switch the language.</summary>
public sealed class BoardPage(IWebDriver driver, string url)
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public IWebDriver Driver => driver;

    /// <summary>Opens the page afresh (no token, no remembered language), at <paramref name="hash"/> if given.</summary>
    public BoardPage Open(string hash = "")
    {
        driver.Navigate().GoToUrl(url);
        Script("sessionStorage.clear(); localStorage.clear();");
        driver.Navigate().GoToUrl(url + hash);
        driver.Navigate().Refresh();
        Wait(d => d.FindElement(By.Id("sign-in")).Displayed);
        return this;
    }

    /// <summary>The Local profile's development sign-in, as a person fills it in.</summary>
    public BoardPage SignInAs(string user, string role)
    {
        Wait(d => d.FindElement(By.Id("dev-form")).Displayed);
        var field = driver.FindElement(By.Id("dev-user"));
        field.Clear();
        field.SendKeys(user);
        Script("const s = document.getElementById('dev-role'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));", role);
        driver.FindElement(By.CssSelector("#dev-form button[type=submit]")).Click();
        return this;
    }

    /// <summary>"Paste a token".</summary>
    public BoardPage PasteToken(string token)
    {
        var field = driver.FindElement(By.Id("token"));
        field.Clear();
        field.SendKeys(token);
        driver.FindElement(By.CssSelector("#token-form button[type=submit]")).Click();
        return this;
    }

    /// <summary>Waits for a board to be shown; its read-model checkpoint.</summary>
    public long WaitForBoard()
    {
        Wait(d => d.FindElement(By.Id("board")).GetAttribute("data-checkpoint") is { Length: > 0 });
        return long.Parse(driver.FindElement(By.Id("board")).GetAttribute("data-checkpoint")!, CultureInfo.InvariantCulture);
    }

    /// <summary>The heatmap's non-zero cells as shown: (pipeline, stage, stall level) -> count.</summary>
    public Dictionary<(string Pipeline, string Stage, string Level), long> HeatmapCounts()
    {
        var cells = (ReadOnlyCollection<object>)Script(
            "return [...document.querySelectorAll('#heatmap td.heat')].map(td => [td.dataset.pipeline, td.dataset.stage, td.dataset.level, td.textContent.trim(), td.dataset.count]);")!;
        var counts = new Dictionary<(string, string, string), long>();
        foreach (ReadOnlyCollection<object> cell in cells)
        {
            // The number a person reads must be the one the data says.
            Assert.Equal(cell[4].ToString(), cell[3].ToString()!.Replace(",", "", StringComparison.Ordinal));
            var count = long.Parse(cell[4].ToString()!, CultureInfo.InvariantCulture);
            if (count > 0)
            {
                counts[(cell[0].ToString()!, cell[1].ToString()!, cell[2].ToString()!)] = count;
            }
        }
        return counts;
    }

    public long OpenTotal => long.Parse(driver.FindElement(By.Id("heatmap-open-total")).GetAttribute("data-count")!, CultureInfo.InvariantCulture);

    public IWebElement Cell(string pipeline, string stage, string level) =>
        driver.FindElement(By.CssSelector($"#heatmap button.cell[data-pipeline='{pipeline}'][data-stage='{stage}'][data-level='{level}']"));

    /// <summary>The deals listed by the drill-down once it has loaded (their opportunity ids, in order).</summary>
    public List<string> DrillDeals()
    {
        Wait(d => d.FindElement(By.Id("drill")).Displayed && d.FindElements(By.CssSelector("#drill-body tr[data-opportunity-id], #drill-body p.empty:not(:empty)")).Count > 0
            && !d.FindElement(By.Id("drill-body")).Text.Contains("…", StringComparison.Ordinal));
        return driver.FindElements(By.CssSelector("#drill-body tr[data-opportunity-id]")).Select(r => r.GetAttribute("data-opportunity-id")!).ToList();
    }

    /// <summary>The forecast as shown: currency -> (open, weighted, count).</summary>
    public Dictionary<string, (string Open, string Weighted, long Count)> Forecast() =>
        driver.FindElements(By.CssSelector("#forecast li[data-currency]")).ToDictionary(
            li => li.GetAttribute("data-currency")!,
            li => (li.GetAttribute("data-open")!, li.GetAttribute("data-weighted")!, long.Parse(li.GetAttribute("data-count")!, CultureInfo.InvariantCulture)));

    /// <summary>The goals table as shown: (owner, actual) per row.</summary>
    public List<(string Owner, string Actual)> Goals() =>
        driver.FindElements(By.CssSelector("#goals tr[data-owner]")).Select(r => (r.GetAttribute("data-owner")!, r.GetAttribute("data-actual")!)).ToList();

    /// <summary>An attribute of every element <paramref name="selector"/> matches, in page order.</summary>
    public List<string> Ids(string selector, string attribute) =>
        driver.FindElements(By.CssSelector(selector)).Select(e => e.GetAttribute(attribute)!).ToList();

    /// <summary>The text of cell <paramref name="index"/> of every row <paramref name="rowSelector"/> matches.</summary>
    public List<string> Column(string rowSelector, int index) =>
        driver.FindElements(By.CssSelector(rowSelector)).Select(r => r.FindElements(By.CssSelector("td"))[index].Text).ToList();

    /// <summary>Chooses whose board in the scope picker (an option's value: "", "team:ID", "owner:ID", "region:NAME").</summary>
    public void Choose(string value) =>
        Script("const s = document.getElementById('scope'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));", value);

    public string Text(string id) => driver.FindElement(By.Id(id)).Text;

    public bool Shown(string id) => driver.FindElement(By.Id(id)).Displayed;

    public object? Script(string script, params object[] arguments) => ((IJavaScriptExecutor)driver).ExecuteScript(script, arguments);

    public T Wait<T>(Func<IWebDriver, T> condition, TimeSpan? within = null)
    {
        var wait = new WebDriverWait(driver, within ?? Bound) { PollingInterval = TimeSpan.FromMilliseconds(25) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
    }
}
