"""`audit batch` with URL inputs: fetched by the workers, errors as records, SSRF rules apply.

The pages come from the ``server`` fixture (tests/web/conftest.py) on 127.0.0.1."""

from __future__ import annotations

import json

from click.testing import CliRunner

from audit.cli import cli


def _records(text):
    return {r["source"]: r for r in map(json.loads, text.splitlines())}


def test_batch_fetches_urls_from_arguments_and_lists(server, tmp_path):
    page, missing = server.url("/page"), server.url("/missing")
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{missing}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", "--isolated", "--quiet", "--jobs", "1", "--allow-private",
                                      "--out", str(out), page, f"@{listing}"])
    assert result.exit_code == 3, result.output
    recs = _records(out.read_text(encoding="utf-8"))
    assert recs[page]["score"] is not None
    assert recs[page]["fetch"]["status"] == 200
    assert "HTTP 404" in recs[missing]["error"]


def test_batch_refuses_private_addresses_by_default(server, tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", "--isolated", "--quiet", "--jobs", "1", "--out", str(out),
                                      server.url("/page")])
    assert result.exit_code == 3
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["score"] is None and "refused" in rec["error"]
