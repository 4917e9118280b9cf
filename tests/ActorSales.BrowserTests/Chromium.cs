using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace ActorSales.BrowserTests;

/// <summary>
/// Debian's chromium driven through its chromium-driver (installed by .ci/run when missing; never a downloaded browser).
/// Every browser starts headless with a fresh profile and nothing that reaches the network by itself.
/// </summary>
public static class Chromium
{
    /// <summary>ACTORSALES_CHROMIUM / ACTORSALES_CHROMEDRIVER override the Debian paths.</summary>
    public static string BrowserPath => Environment.GetEnvironmentVariable("ACTORSALES_CHROMIUM") ?? "/usr/bin/chromium";

    public static string DriverPath => Environment.GetEnvironmentVariable("ACTORSALES_CHROMEDRIVER") ?? "/usr/bin/chromedriver";

    /// <summary>Starts a browser; fails (never skips) with what to install when chromium or its driver is missing.</summary>
    public static Browser Start(string language = "en-US", int width = 1280, int height = 1000)
    {
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException(
                $"The browser tests need Debian's chromium ({BrowserPath}) and chromium-driver ({DriverPath}): " +
                "run `apt-get install chromium chromium-driver` (as root; .ci/run does it when they are missing), " +
                "or point ACTORSALES_CHROMIUM and ACTORSALES_CHROMEDRIVER at an installed pair.");
        }
        var profile = Directory.CreateTempSubdirectory("actorsales-chromium-");
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", $"--user-data-dir={profile.FullName}", $"--window-size={width},{height}", $"--lang={language}");
        options.AddUserProfilePreference("intl.accept_languages", language);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        try
        {
            return new Browser(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)), profile);
        }
        catch
        {
            profile.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Saves a screenshot of the whole page under artifacts/browser-tests/ and attaches it to the test result.</summary>
    public static string Screenshot(IWebDriver driver, string name)
    {
        var directory = Path.Combine(ActorSales.Testing.RepositoryPaths.Root, "artifacts", "browser-tests");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        var window = driver.Manage().Window;
        var before = window.Size;
        var js = (IJavaScriptExecutor)driver;
        // Grow the window until the viewport holds the whole page (the window is taller than its viewport).
        for (var i = 0; i < 3; i++)
        {
            var missing = Convert.ToInt32(js.ExecuteScript("return document.documentElement.scrollHeight - window.innerHeight;"), System.Globalization.CultureInfo.InvariantCulture);
            if (missing <= 0)
            {
                break;
            }
            window.Size = new System.Drawing.Size(window.Size.Width, window.Size.Height + missing);
        }
        var shot = ((ITakesScreenshot)driver).GetScreenshot();
        window.Size = before;
        shot.SaveAsFile(path);
        TestContext.Current.AddAttachment(name, shot.AsByteArray, "image/png");
        return path;
    }
}

/// <summary>A started Chromium: disposing it quits the browser and its driver and deletes its profile.</summary>
public sealed class Browser(ChromeDriver driver, DirectoryInfo profile) : IDisposable
{
    public ChromeDriver Driver => driver;

    public void Dispose()
    {
        driver.Quit();
        try
        {
            profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file the browser still held: it lives in the temp folder anyway.
        }
    }
}
