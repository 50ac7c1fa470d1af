"""``--format html``: one self-contained file a reviewer opens in any browser, offline.

Why self-contained: the report is an artifact (CI upload, e-mail, archive);
it must render the same in ten years and must not phone home.  So the CSS,
the SVG charts and the script are inline, nothing refers to another URL,
and a Content-Security-Policy (``default-src 'none'``) makes the browser
refuse any load even if audited text tried to sneak one in.

What it shows: a sortable table of sources (click a header; large runs sort
by score to find the worst), then a scorecard per source with an SVG bar
chart of the eleven category subscores, the positive signals, and the
findings with their excerpts highlighted.  Two filters (category, level)
hide non-matching findings and the sources left with none.

Everything from an audited source is escaped: a scraped page is hostile
input, and ``<script>`` in an excerpt must show as text.  The script is
plain JavaScript with no dependencies.  The filter and sort state lives in
the URL fragment (``report.html#category=hype-claim&level=error&sort=-score``)
so a link reproduces a view -- and so a headless browser can test it.
"""

from __future__ import annotations

from html import escape

from audit.model import CATEGORIES, LEVELS
from audit.report.common import display_path, summary

_CSS = """
:root{--fg:#1d232b;--muted:#5b6673;--line:#d8dee6;--bg:#fff;--soft:#f5f7fa;--good:#1f7a3f;--mid:#a86400;--bad:#b3261e}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1100px;padding:1.5rem}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.15rem;margin:0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}
.meta,.muted{color:var(--muted)}
.filters{position:sticky;top:0;background:var(--bg);padding:.6rem 0;border-bottom:1px solid var(--line);display:flex;gap:1rem;align-items:center;flex-wrap:wrap;z-index:1}
select,button{font:inherit}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line)}
th button{background:none;border:0;padding:0;font-weight:600;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
td.num,th.num{text-align:right}
.card{border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1.25rem 0}
.card.fail{border-left:6px solid var(--bad)}
.card.pass{border-left:6px solid var(--good)}
.card.error{border-left:6px solid var(--mid)}
.source{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.score{font-size:1.6rem;font-weight:700}
.verdict{font-weight:700;padding:0 .4rem;border-radius:4px;color:#fff}
.verdict.pass{background:var(--good)}.verdict.fail{background:var(--bad)}.verdict.error{background:var(--mid)}
svg.chart{display:block;max-width:100%;height:auto;margin:.75rem 0}
svg.chart text{font:12px system-ui,sans-serif;fill:var(--fg)}
svg.chart .track{fill:var(--soft)}
svg.chart .good{fill:var(--good)}svg.chart .mid{fill:var(--mid)}svg.chart .bad{fill:var(--bad)}
ul.signals{padding-left:1.2rem;color:var(--good)}
ol.findings{list-style:none;padding:0;margin:0}
li.finding{border-top:1px solid var(--line);padding:.5rem 0}
.level{font-weight:700;text-transform:uppercase;font-size:.75rem;padding:0 .3rem;border-radius:3px;color:#fff}
.level.error{background:var(--bad)}.level.warning{background:var(--mid)}.level.info{background:#3b6ea8}
.rule{font-family:ui-monospace,monospace}
blockquote.excerpt{margin:.3rem 0;padding:.3rem .6rem;background:var(--soft);border-left:3px solid var(--line);white-space:pre-wrap;word-break:break-word}
mark{background:#ffe58f;color:inherit}
.suggestion{color:var(--good)}
[hidden]{display:none!important}
@media print{.filters{display:none}}
"""

_JS = r"""
(function () {
  "use strict";
  var doc = document;
  var cat = doc.getElementById("filter-category");
  var lev = doc.getElementById("filter-level");
  var table = doc.getElementById("sources");
  var sortKey = "", sortDir = 1;

  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); }
    });
    return out;
  }
  function writeHash() {
    var parts = [];
    if (cat.value) { parts.push("category=" + encodeURIComponent(cat.value)); }
    if (lev.value) { parts.push("level=" + encodeURIComponent(lev.value)); }
    if (sortKey) { parts.push("sort=" + (sortDir < 0 ? "-" : "") + encodeURIComponent(sortKey)); }
    try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); }
    catch (e) { /* file: URLs in some browsers */ }
  }
  function applyFilters() {
    var c = cat.value, l = lev.value, shown = 0, total = 0;
    doc.querySelectorAll("li.finding").forEach(function (li) {
      var ok = (!c || li.getAttribute("data-category") === c) && (!l || li.getAttribute("data-level") === l);
      li.hidden = !ok;
      total += 1;
      if (ok) { shown += 1; }
    });
    doc.querySelectorAll("section.card").forEach(function (card) {
      var any = card.querySelector("li.finding:not([hidden])");
      card.hidden = Boolean(c || l) && !any;
    });
    doc.getElementById("filter-count").textContent = shown + " of " + total + " findings shown";
    doc.body.setAttribute("data-filter", (c || "*") + "/" + (l || "*"));
  }
  function value(row, key, type) {
    var v = row.getAttribute("data-" + key) || "";
    return type === "num" ? (v === "" ? -1 : parseFloat(v)) : v.toLowerCase();
  }
  function sortBy(key, dir) {
    var th = table.querySelector("th[data-key='" + key + "']");
    if (!th) { return; }
    var type = th.getAttribute("data-type");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.setAttribute("data-pos", i); });
    rows.sort(function (a, b) {
      var x = value(a, key, type), y = value(b, key, type);
      if (x < y) { return -dir; }
      if (x > y) { return dir; }
      return a.getAttribute("data-pos") - b.getAttribute("data-pos");
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.querySelectorAll("th[data-key]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    sortKey = key;
    sortDir = dir;
  }
  table.querySelectorAll("th[data-key] button").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var key = btn.parentNode.getAttribute("data-key");
      sortBy(key, key === sortKey ? -sortDir : 1);
      writeHash();
    });
  });
  cat.addEventListener("change", function () { applyFilters(); writeHash(); });
  lev.addEventListener("change", function () { applyFilters(); writeHash(); });
  function fromHash() {
    var h = readHash();
    if (h.category !== undefined) { cat.value = h.category; if (cat.value !== h.category) { cat.value = ""; } }
    if (h.level !== undefined) { lev.value = h.level; if (lev.value !== h.level) { lev.value = ""; } }
    if (h.sort) { sortBy(h.sort.replace(/^-/, ""), h.sort.charAt(0) === "-" ? -1 : 1); }
    applyFilters();
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  doc.documentElement.setAttribute("data-ready", "1");
}());
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"


def esc(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _tone(score) -> str:
    if score is None:
        return "bad"
    return "good" if score >= 80 else "mid" if score >= 50 else "bad"


def chart(card, label_id: str) -> str:
    """A horizontal bar per category: its subscore out of 100."""
    row, left, width = 22, 150, 300
    height = row * len(CATEGORIES) + 6
    parts = [f'<svg class="chart" role="img" aria-labelledby="{label_id}" viewBox="0 0 {left + width + 50} {height}" '
             f'width="{left + width + 50}" height="{height}">',
             f'<title id="{label_id}">Category subscores of {esc(card.source)}</title>']
    for i, cat in enumerate(CATEGORIES):
        cs = card.categories.get(cat)
        value = float(cs.score) if cs is not None else 100.0
        y = 3 + i * row
        bar = round(width * max(0.0, min(100.0, value)) / 100, 1)
        parts.append(
            f'<g class="bar-row" data-category="{cat}">'
            f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{cat}</text>'
            f'<rect class="track" x="{left}" y="{y}" width="{width}" height="16" rx="3"/>'
            f'<rect class="bar {_tone(value)}" data-category="{cat}" data-score="{value:g}" x="{left}" y="{y}" '
            f'width="{bar:g}" height="16" rx="3"/>'
            f'<text class="value" x="{left + width + 8}" y="{y + 13}">{value:g}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _finding(f) -> str:
    where = f"line {f.line}, column {f.column}" if f.line is not None else "whole document"
    out = [f'<li class="finding" data-level="{esc(f.level)}" data-category="{esc(f.category)}" '
           f'data-rule="{esc(f.rule)}">',
           f'<div><span class="level {esc(f.level)}">{esc(f.level)}</span> '
           f'<code class="rule">{esc(f.rule)}</code> <span class="muted">{esc(f.category)} \u00b7 {where} '
           f'\u00b7 \u2212{f.points:g} points</span></div>',
           f'<p class="message">{esc(f.message)}</p>']
    if f.excerpt:
        out.append(f'<blockquote class="excerpt"><mark>{esc(f.excerpt)}</mark></blockquote>')
    if f.suggestion:
        out.append(f'<p class="suggestion">Suggestion: {esc(f.suggestion)}</p>')
    out.append("</li>")
    return "".join(out)


def scorecard(card, n: int, root) -> str:
    src = esc(display_path(card.source, root))
    if card.error:
        return (f'<section class="card error" id="card-{n}" data-source="{src}">'
                f'<h2><span class="source">{src}</span> <span class="verdict error">unreadable</span></h2>'
                f'<p class="error-message">{esc(card.error)}</p></section>')
    verdict = "pass" if card.passed else "fail"
    out = [f'<section class="card {verdict}" id="card-{n}" data-source="{src}" data-score="{card.score}">',
           f'<h2><span class="source">{src}</span> <span class="score">{card.score}</span>'
           f'<span class="muted">/100</span> <span class="band">{esc(card.band)}</span> '
           f'<span class="verdict {verdict}">{verdict.upper()}</span></h2>',
           chart(card, f"chart-{n}")]
    if card.signals:
        out.append('<ul class="signals">' + "".join(
            f'<li>+{s.points:g} {esc(s.name)}' + (f' <span class="muted">({esc(s.excerpt)})</span>' if s.excerpt else "")
            + "</li>" for s in card.signals) + "</ul>")
    if card.findings:
        out.append('<ol class="findings">' + "".join(_finding(f) for f in card.findings) + "</ol>")
    else:
        out.append('<p class="muted">No findings.</p>')
    if card.suppressed:
        out.append(f'<details class="suppressed"><summary>{len(card.suppressed)} suppressed</summary><ul>' + "".join(
            f'<li><code class="rule">{esc(f.rule)}</code> {esc(f.message)} '
            f'<span class="muted">({esc(getattr(f, "kind", ""))}: {esc(getattr(f, "justification", "") or "")})</span></li>'
            for f in card.suppressed) + "</ul></details>")
    out.append("</section>")
    return "".join(out)


def _table(cards, root) -> str:
    head = ('<table id="sources"><thead><tr>'
            '<th data-key="source" data-type="text"><button type="button">Source</button></th>'
            '<th class="num" data-key="score" data-type="num"><button type="button">Score</button></th>'
            '<th data-key="band" data-type="text"><button type="button">Band</button></th>'
            '<th data-key="result" data-type="text"><button type="button">Result</button></th>'
            '<th class="num" data-key="findings" data-type="num"><button type="button">Findings</button></th>'
            '</tr></thead><tbody>')
    rows = []
    for n, card in enumerate(cards, 1):
        src = esc(display_path(card.source, root))
        result = "error" if card.error else "pass" if card.passed else "fail"
        score = "" if card.score is None else card.score
        rows.append(f'<tr data-source="{src}" data-score="{score}" data-band="{esc(card.band or "")}" '
                    f'data-result="{result}" data-findings="{len(card.findings)}">'
                    f'<td class="source"><a href="#card-{n}">{src}</a></td><td class="num">{score}</td>'
                    f'<td>{esc(card.band or "unreadable")}</td><td>{result}</td>'
                    f'<td class="num">{len(card.findings)}</td></tr>')
    return head + "".join(rows) + "</tbody></table>"


def render(cards, ctx) -> str:
    s = summary(cards)
    mean = f"{s['mean']:.1f}" if s["mean"] is not None else "n/a"
    policy = []
    if ctx.fail_under is not None:
        policy.append(f"fail under {ctx.fail_under:g}")
    if ctx.fail_on:
        policy.append(f"fail on {ctx.fail_on}")
    counts = (f"{s['sources']} source{'s' if s['sources'] != 1 else ''} \u00b7 mean score {mean} \u00b7 "
              f"{s['failed']} failed \u00b7 {s['findings']} findings")
    if s["suppressed"]:
        counts += f" \u00b7 {s['suppressed']} suppressed"
    if s["errors"]:
        counts += f" \u00b7 {s['errors']} unreadable"
    options_c = "".join(f'<option value="{c}">{c}</option>' for c in CATEGORIES)
    options_l = "".join(f'<option value="{lv}">{lv}</option>' for lv in reversed(LEVELS))
    body = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>audit report: {s['sources']} source{'s' if s['sources'] != 1 else ''}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header><h1>Credibility audit</h1>",
        f'<p id="summary">{counts}</p>',
        f'<p class="meta">audit {esc(ctx.version)}' + (f" \u00b7 policy: {esc(', '.join(policy))}" if policy else "")
        + "</p></header>",
        '<nav class="filters" aria-label="Filters">'
        f'<label>Category <select id="filter-category"><option value="">all</option>{options_c}</select></label>'
        f'<label>Level <select id="filter-level"><option value="">all</option>{options_l}</select></label>'
        '<span id="filter-count" class="muted" aria-live="polite"></span></nav>',
        _table(cards, ctx.root),
        "<main>",
        *(scorecard(card, n, ctx.root) for n, card in enumerate(cards, 1)),
        "</main>",
        f"<script>{_JS}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(body) + "\n"
