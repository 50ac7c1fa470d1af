"""The Python API (audit.audit_text & co.) returns picklable Scorecards, for process pools,
Dask, Spark and Ray."""

from __future__ import annotations

import pickle

import audit
from audit.model import Scorecard

HTML = ("<html><head><title>Stem cells</title></head><body><h1>Stem cells</h1>"
        "<p>Stem cell therapy is a miracle cure, experts say. Click here to book now!</p></body></html>")
TEXT = "Back pain\n\nStem cell therapy is a miracle cure, experts say.\n"


def _same(a: Scorecard, b: Scorecard) -> bool:
    return a.to_json() == b.to_json() and a.passed == b.passed


def test_scorecards_pickle_round_trip(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(HTML, encoding="utf-8")
    cards = [audit.audit_text(TEXT), audit.audit_html(HTML), audit.audit_path(p),
             audit.audit_path(tmp_path / "missing.html")]
    assert cards[0].score is not None and cards[1].findings and cards[3].error
    for card in cards:
        back = pickle.loads(pickle.dumps(card, protocol=pickle.HIGHEST_PROTOCOL))
        assert isinstance(back, Scorecard) and back == card and _same(back, card)


def test_html_as_str_bytes_or_beautifulsoup_gives_the_same_card():
    from bs4 import BeautifulSoup

    ref = audit.audit_html(HTML, source="x")
    assert _same(audit.audit_html(HTML.encode("utf-8"), source="x"), ref)
    assert _same(audit.audit_html(BeautifulSoup(HTML, "html.parser"), source="x"), ref)


def test_rules_loaded_once_and_reused():
    rules = audit.load_rules()
    a = audit.audit_text(TEXT, rules=rules, source="t")
    b = audit.audit_text(TEXT, source="t")
    assert _same(a, b)
    assert pickle.loads(pickle.dumps(a)) == a


def test_audit_records_for_spark_and_ray(tmp_path):
    from audit.batch.worker import audit_records

    p = tmp_path / "d.txt"
    p.write_text(TEXT, encoding="utf-8")
    out = list(audit_records([{"url": "https://www.example.com/a", "html": HTML}, {"source": "t", "text": TEXT},
                              {"path": str(p)}, {"url": "https://x.example/none"}]))
    assert [r["source"] for r in out] == ["https://www.example.com/a", "t", str(p), "https://x.example/none"]
    assert out[0] == audit.audit_html(HTML, source="https://www.example.com/a").to_json()
    assert out[1] == audit.audit_text(TEXT, source="t").to_json()
    assert out[3]["error"] and out[3]["score"] is None
