"""Random bytes, random text and malformed HTML: always a scorecard or an error record."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.document.load import Input
from audit.model import Scorecard

FRAGMENTS = ["<p>", "</p>", "<div class='ad'>", "</div>", "<a href=", ">", "<", "&amp;", "&#x", "&nbsp;",
             "<script>", "</script>", "<!--", "-->", "<li>", "<ul>", "<h1>", "<img alt='", "'>", "\n",
             "stem cells", "Lorem ipsum dolor sit amet", "1. ", "\u2022 ", "\u00a0", "\u00ad", "\ufeff",
             "By Dr. John Smith", "References", "<?xml version='1.0' encoding='utf-8'?>", "\x00", "\r\n"]


def _check(engine, data: bytes, name: str):
    card = engine.audit_input(Input(name, data=data))
    assert isinstance(card, Scorecard)
    if card.error is None:
        assert 0 <= card.score <= 100 and card.band
        for f in card.findings:
            assert f.line is None or (f.line >= 1 and f.column >= 1)
    else:
        assert "\n" not in card.error and card.error.startswith(name)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_random_bytes(engine, data):
    _check(engine, data, "random.bin")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=2000))
def test_random_text(engine, text):
    _check(engine, text.encode("utf-8", "surrogatepass"), "random.txt")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=80))
def test_malformed_html(engine, parts):
    _check(engine, ("<html><body>" + "".join(parts)).encode("utf-8", "surrogatepass"), "broken.html")
