"""Each declarative kind on rule packs written here, through the real loader and engine."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from audit.config import Settings
from audit.document.load import parse
from audit.engine import Engine
from audit.errors import RuleError
from audit.rulepack import load_rules

HEAD = 'category = "hype-claim"\nlevel = "warning"\nweight = 5\nrationale = "because"\n'


def engine_for(tmp_path: Path, body: str, lexicons: dict[str, str] | None = None, select=("Test",)):
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    (pack / "test.toml").write_text(body, encoding="utf-8")
    if lexicons:
        (pack / "lexicons").mkdir(exist_ok=True)
        for name, text in lexicons.items():
            (pack / "lexicons" / f"{name}.txt").write_text(text, encoding="utf-8")
    settings = Settings()
    settings.select = list(select)
    return Engine(load_rules([pack]), settings)


def findings(engine, text, fmt="text"):
    return engine.findings(parse(text, source="t", fmt=fmt))


def test_existence_whole_tokens_and_case(tmp_path):
    e = engine_for(tmp_path, f'[[rule]]\nid = "Test.Miracle"\n{HEAD}kind = "existence"\n'
                             'message = "hype: {match}"\nphrases = ["miracle", "=CURE"]\n')
    got = findings(e, "Intro line here.\n\nA miracle! Miracles and miraculous CURE, not cure.")
    assert [f.excerpt for f in got] == ["miracle", "CURE"]
    assert got[0].message == "hype: miracle"


def test_existence_unless_hedge(tmp_path):
    e = engine_for(tmp_path, f'[[rule]]\nid = "Test.Cures"\n{HEAD}kind = "existence"\nmessage = "m"\n'
                             'phrases = ["cures"]\nunless = ["\\\\b(?:may|might|claims?)\\\\b"]\n')
    got = findings(e, "Intro line here.\n\nIt cures pain. Some say it may cures nothing. It claims it cures.")
    assert len(got) == 1 and got[0].column == 4


def test_lexicon_from_user_pack_extends(tmp_path):
    e = engine_for(tmp_path, f'[[rule]]\nid = "Test.Lex"\n{HEAD}kind = "existence"\nmessage = "m"\nlexicon = "hype-terms-test"\n',
                   lexicons={"hype-terms-test": "# comment\ngame changer\nholy grail\n"})
    assert len(findings(e, "Intro line here.\n\nA game-changer? No, the holy grail and a game changer.")) == 2


def test_substitution_with_context(tmp_path):
    body = f'[[rule]]\nid = "Test.Swap"\n{HEAD}kind = "substitution"\nmessage = "{{match}} -> {{expected}}"\n' \
           'lexicon = "conf"\n'
    e = engine_for(tmp_path, body, lexicons={"conf": "sperm cells -> stem cells | stem, regenerative\n"
                                                     "blastocytes -> blastocysts\n"})
    got = findings(e, "Stem cell therapy.\n\nSperm cells can treat disease. Such embryos are blastocytes.")
    assert [(f.excerpt, f.suggestion) for f in got] == [("Sperm cells", "Stem cells"), ("blastocytes", "blastocysts")]
    assert findings(e, "Fertility guide.\n\nSperm cells are counted in the lab.") == []


def test_occurrence_density(tmp_path):
    e = engine_for(tmp_path, f'[[rule]]\nid = "Test.Many"\n{HEAD}kind = "occurrence"\n'
                             'message = "{count} uses, more than {expected}"\nphrases = ["amazing"]\nmax = 2\n')
    assert findings(e, "Intro line here.\n\namazing amazing") == []
    [f] = findings(e, "Intro line here.\n\namazing amazing amazing amazing")
    assert f.message == "4 uses, more than 2" and f.column == 17


def test_conditional_within_window(tmp_path):
    body = (f'[[rule]]\nid = "Test.Stat"\n{HEAD}kind = "conditional"\nmessage = "uncited"\n'
            'patterns = ["\\\\d+%"]\nwithout = ["\\\\[\\\\d+\\\\]", "according to"]\nwindow = 1\n')
    e = engine_for(tmp_path, body)
    # the window stays inside a paragraph: the citation before the break does not cover 70%
    text = "Intro line here.\n\nAbout 40% improved. It was a trial [1].\n\nLater, 70% relapsed. Nobody knows why. Or when."
    got = findings(e, text)
    assert [f.excerpt for f in got] == ["70%"]


def test_repetition_sentences(tmp_path):
    e = engine_for(tmp_path, f'[[rule]]\nid = "Test.Rep"\n{HEAD}kind = "repetition"\nmessage = "x{{count}}"\n'
                             'unit = "sentence"\nmin_words = 3\n')
    got = findings(e, "Intro line here.\n\nBuy the best plan now. Other words.\n\nBuy the best plan now.")
    assert len(got) == 1 and got[0].message == "x2" and got[0].line == 5


def test_presence_with_when(tmp_path):
    body = ('[[rule]]\nid = "Test.Refs"\ncategory = "citation-missing"\nlevel = "warning"\nweight = 5\n'
            'rationale = "r"\nkind = "presence"\nrequire = "references"\nmessage = "{count} claims, no references"\n'
            'when = ["\\\\b(?:treats?|cures?)\\\\b"]\nwhen_min = 2\n')
    e = engine_for(tmp_path, body)
    assert findings(e, "Intro line here.\n\nIt treats pain.") == []
    [f] = findings(e, "Intro line here.\n\nIt treats pain and cures arthritis.")
    assert f.line is None and f.message == "2 claims, no references"


def test_user_regex_cannot_hang_a_run(tmp_path):
    e = engine_for(tmp_path, f'[[rule]]\nid = "Test.Evil"\n{HEAD}kind = "existence"\nmessage = "m"\npatterns = ["(a+)+$"]\n')
    doc = parse("Intro line here.\n\n" + "a" * 50000 + "!", source="t", fmt="text")
    start = time.perf_counter()
    assert e.findings(doc) == []
    assert time.perf_counter() - start < 5
    assert doc.extra["timeouts"] == ["Test.Evil"]


@pytest.mark.parametrize("body,key", [
    (f'[[rule]]\nid = "Test.X"\n{HEAD}kind = "existence"\nmessage = "m"\nphrases = ["a"]\nbogus = 1\n', "bogus"),
    ('[[rule]]\nid = "Test.X"\nlevel = "warning"\nweight = 1\nrationale = "r"\nkind = "existence"\nmessage = "m"\nphrases = ["a"]\n', "category"),
    (f'[[rule]]\nid = "Test.X"\n{HEAD.replace("hype-claim", "gossip")}kind = "existence"\nmessage = "m"\nphrases = ["a"]\n', "category"),
    (f'[[rule]]\nid = "Test.X"\n{HEAD}kind = "existence"\nmessage = "m"\npatterns = ["(oops"]\n', "patterns"),
    (f'[[rule]]\nid = "Test.X"\n{HEAD}kind = "telepathy"\nmessage = "m"\n', "kind"),
    (f'[[rule]]\nid = "Test.X"\n{HEAD}kind = "existence"\nmessage = "m"\nlexicon = "nope"\n', "lexicon"),
    (f'[[rule]]\nid = "Test.X"\n{HEAD}kind = "code"\nmessage = "m"\ncheck = "no-such-check"\n', "check"),
    (f'[[rule]]\nid = "Test.X"\n{HEAD}kind = "existence"\nmessage = "{{nonsense}}"\nphrases = ["a"]\n', "message"),
])
def test_validation_names_file_rule_and_key(tmp_path, body, key):
    with pytest.raises(RuleError) as err:
        engine_for(tmp_path, body)
    msg = str(err.value)
    assert "test.toml" in msg and "Test.X" in msg and f"'{key}'" in msg


def test_code_check_from_entry_point_registry():
    from audit.checks.registry import available, get_check

    assert "enumeration" in available() or "filler-latin" in available()
    assert callable(get_check("filler-latin"))
    assert get_check("does-not-exist") is None


def test_existence_sentence_has(tmp_path):
    e = engine_for(tmp_path, f'[[rule]]\nid = "Test.Ctx"\n{HEAD}kind = "existence"\nmessage = "m"\n'
                             'phrases = ["repairs tissue"]\nsentence_has = ["\\\\binject"]\n')
    got = findings(e, "Intro line here.\n\nThe body repairs tissue. Once injected, it repairs tissue.")
    assert [f.column for f in got] == [44]


def test_a_crashing_code_check_does_not_stop_the_others(tmp_path, monkeypatch):
    """A plugin bug costs that rule on that document, nothing else; the CLI warns about it."""
    import audit.checks.filler as filler
    from audit.checks import registry

    def broken(rule, ctx):
        raise ValueError("plugin bug")
        yield  # pragma: no cover

    monkeypatch.setattr(filler, "check_filler_latin", broken)
    registry.get_check.cache_clear()
    try:
        settings = Settings()
        settings.select = ["Placeholder.FillerLatin", "Authorship.Missing"]
        engine = Engine(load_rules(), settings)
        card = engine.audit_document(parse("Intro line here.\n\nLorem ipsum dolor sit amet consectetur.",
                                           source="t", fmt="text"))
    finally:
        registry.get_check.cache_clear()
    assert [f.rule for f in card.findings] == ["Authorship.Missing"]
    assert card.rule_errors == ["Placeholder.FillerLatin: ValueError: plugin bug"]
