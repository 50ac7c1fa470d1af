"""The HTML report in a real browser: headless Chromium renders it, runs its script, and we read the DOM.

Two ways in, both with ``--dump-dom`` (no driver library needed):

* the report itself, opened with a URL fragment (``#level=error&sort=-score``):
  the page applies the fragment on load, exactly as when a reviewer follows a
  shared link;
* a copy of the report with a small harness script appended, which clicks the
  table headers and changes the filter selects the way a user does, then
  writes what it saw into the DOM as JSON.

Skipped, saying why, only when no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from audit.model import CATEGORIES, CategoryScore, Finding, Scorecard
from audit.report import ReportContext, render

CHROMIUM = next((p for p in (os.environ.get("AUDIT_CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser"), "/usr/bin/chromium") if p and os.path.exists(p)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install -y chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--virtual-time-budget=5000"]


def _card(source, score, levels, passed):
    findings = [Finding(f"Pack.Rule{i}", CATEGORIES[i % len(CATEGORIES)], level, f"Message {i} <b>not bold</b>",
                        i + 1, 1, i + 1, 9, f"excerpt {i} <script>window.pwned=1</script>", None, 2.0)
                for i, level in enumerate(levels)]
    cats = {c: CategoryScore(100 - 9 * i, 0.0, 0) for i, c in enumerate(CATEGORIES)}
    card = Scorecard(source, "html", score, "band", cats, [], findings)
    card.passed = passed
    return card


def _cards():
    err = Scorecard("gone.html", error="gone.html: no such file or directory")
    err.passed = False
    return [_card("b.html", 55, ["error", "warning", "info"], False),
            _card("a.html", 91, ["info"], True),
            _card("c.html", 12, ["warning", "warning"], False),
            err]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("html")
    path = d / "report.html"
    path.write_text(render("html", _cards(), context=ReportContext(version="1", root=d)), encoding="utf-8")
    return path


def dump(url: str, tmp_path: Path):
    import lxml.html

    profile = tmp_path / f"profile-{abs(hash(url))}"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0 and "<html" in proc.stdout, proc.stderr[-2000:]
    return lxml.html.fromstring(proc.stdout)


def test_scores_and_charts_render(report, tmp_path):
    dom = dump(report.as_uri(), tmp_path)
    assert dom.get("data-ready") == "1", "the report's script did not run"
    scores = [s.text_content() for s in dom.xpath("//section[contains(@class,'card')]//span[@class='score']")]
    assert scores == ["55", "91", "12"]
    bars = dom.xpath("//section[@id='card-1']//*[local-name()='rect'][contains(@class,'bar')]")
    assert len(bars) == len(CATEGORIES)
    for i, bar in enumerate(bars):
        assert float(bar.get("data-score")) == 100 - 9 * i
        assert abs(float(bar.get("width")) - 3 * (100 - 9 * i)) < 0.01
    assert dom.xpath("//section[@id='card-4']")[0].get("class") == "card error"
    assert dom.get_element_by_id("filter-count").text_content() == "6 of 6 findings shown"
    # escaped, shown as text, never executed
    assert not dom.xpath("//li[@class='finding']//script")
    assert "<script>window.pwned=1</script>" in dom.xpath("//mark")[0].text_content()


def test_fragment_filters_and_sorts_on_load(report, tmp_path):
    dom = dump(report.as_uri() + "#level=warning&sort=-score", tmp_path)
    items = dom.xpath("//li[@class='finding']")
    assert {li.get("data-level") for li in items if li.get("hidden") is None} == {"warning"}
    assert all(li.get("hidden") is not None for li in items if li.get("data-level") != "warning")
    assert dom.xpath("//section[@id='card-2']")[0].get("hidden") is not None, "a source with no warning is hidden"
    assert dom.get_element_by_id("filter-count").text_content() == "3 of 6 findings shown"
    rows = [tr.get("data-source") for tr in dom.xpath("//table[@id='sources']/tbody/tr")]
    assert rows == ["a.html", "b.html", "c.html", "gone.html"]
    assert dom.xpath("//th[@data-key='score']")[0].get("aria-sort") == "descending"


HARNESS = """
<script>
(function () {
  var out = {};
  function col(key) {
    return Array.prototype.map.call(document.querySelectorAll("#sources tbody tr"),
                                    function (r) { return r.getAttribute("data-" + key); });
  }
  var score = document.querySelector("th[data-key='score'] button");
  score.click();
  out.ascending = col("source");
  score.click();
  out.descending = col("source");
  document.querySelector("th[data-key='source'] button").click();
  out.bySource = col("source");
  var cat = document.getElementById("filter-category");
  cat.value = "%s";
  cat.dispatchEvent(new Event("change"));
  out.shown = Array.prototype.filter.call(document.querySelectorAll("li.finding"),
                                          function (li) { return !li.hidden; })
                             .map(function (li) { return li.getAttribute("data-category"); });
  out.hash = location.hash;
  var pre = document.createElement("pre");
  pre.id = "harness";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}());
</script>
</body>"""


def test_clicking_headers_sorts_and_selects_filter(report, tmp_path):
    page = tmp_path / "harness.html"
    html = report.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", HARNESS % CATEGORIES[1], 1), encoding="utf-8")
    dom = dump(page.as_uri(), tmp_path)
    result = json.loads(dom.get_element_by_id("harness").text_content())
    # unreadable sources have no score and sort below every score
    assert result["ascending"] == ["gone.html", "c.html", "b.html", "a.html"]
    assert result["descending"] == ["a.html", "b.html", "c.html", "gone.html"]
    assert result["bySource"] == ["a.html", "b.html", "c.html", "gone.html"]
    assert result["shown"] == [CATEGORIES[1]] * 2     # b.html and c.html each have one
    assert f"category={CATEGORIES[1]}" in result["hash"] and "sort=source" in result["hash"]
