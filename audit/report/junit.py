"""``--format junit``: JUnit XML, the report format every CI system can display.

GitLab (``artifacts:reports:junit``), Jenkins, Azure Pipelines and CircleCI
show test results without any plugin, so each source becomes one test case
(``classname="audit"``, ``name`` = the source as given):

* passed the policy -> an empty test case;
* failed the policy (``card.passed`` is False) -> a ``<failure>`` whose
  message is the score and band and whose body lists the findings, one per
  line in the ``line`` format;
* could not be read -> an ``<error>`` with the reason.

Scraped text can hold characters XML 1.0 forbids (most C0 controls, lone
surrogates); they are replaced with U+FFFD so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from audit.report.line import format_finding

_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def render(cards, ctx=None) -> str:
    failures = sum(1 for c in cards if not c.error and not c.passed)
    errors = sum(1 for c in cards if c.error)
    attrs = {"name": "audit", "tests": str(len(cards)), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", dict(attrs, skipped="0"))
    for card in cards:
        case = ET.SubElement(suite, "testcase", {"classname": "audit", "name": clean(card.source)})
        if card.error:
            err = ET.SubElement(case, "error", {"type": "unreadable", "message": clean(card.error)})
            err.text = clean(card.error)
        elif not card.passed:
            n = len(card.findings)
            message = f"score {card.score}/100 ({card.band}), {n} finding{'s' if n != 1 else ''}: failed the policy"
            fail = ET.SubElement(case, "failure", {"type": "policy", "message": clean(message)})
            fail.text = clean("\n".join([message] + [format_finding(card.source, f) for f in card.findings]))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
