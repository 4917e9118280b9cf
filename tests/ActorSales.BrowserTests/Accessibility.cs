namespace ActorSales.BrowserTests;

/// <summary>Checks run in the page: WCAG's accessible-name and contrast rules, as far as a script can tell.</summary>
public static class Accessibility
{
    /// <summary>Visible controls without an accessible name (aria-label, a label, or their own text).</summary>
    public const string UnnamedControls = """
        const named = el => (el.getAttribute('aria-label') || (el.labels && el.labels.length ? el.labels[0].textContent : '')
          || el.textContent || el.getAttribute('title') || '').trim().length > 0;
        return [...document.querySelectorAll('button, select, input, textarea, a[href], [tabindex]:not([tabindex="-1"])')]
          .filter(el => el.offsetParent !== null && !named(el))
          .map(el => el.outerHTML.slice(0, 160));
        """;

    /// <summary>Visible text whose contrast with its background is below WCAG AA (4.5:1; 3:1 for large text).</summary>
    public const string LowContrastText = """
        const parse = c => { const m = /rgba?\(([^)]+)\)/.exec(c); if (!m) return null; const p = m[1].split(',').map(parseFloat);
          return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
        const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
        const background = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) return c; }
          return { r: 255, g: 255, b: 255, a: 1 }; };
        const ratio = (a, b) => { const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
        const low = [];
        const seen = new Set();
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const el = walker.currentNode.parentElement;
          if (!walker.currentNode.textContent.trim() || seen.has(el) || el.offsetParent === null) continue;
          seen.add(el);
          const style = getComputedStyle(el);
          const size = parseFloat(style.fontSize);
          const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
          const r = ratio(parse(style.color), background(el));
          if (r < (large ? 3 : 4.5)) low.push(`${el.tagName}.${el.className} "${walker.currentNode.textContent.trim().slice(0, 30)}" ${r.toFixed(2)}`);
        }
        return low;
        """;
}
