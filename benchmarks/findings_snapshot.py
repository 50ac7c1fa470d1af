"""Every finding of the full default audit on the shared corpus and the seeds, to prove that a
speed-up changed nothing.

    python benchmarks/findings_snapshot.py write /tmp/before.json    # before the change
    python benchmarks/findings_snapshot.py check /tmp/before.json    # after: exit 1 on any difference

A finding is kept whole (rule, line, column, end, excerpt, message, points) with the page's
score, so a moved position, a changed message or a lost finding all show.  The snapshot is a
working file for one change: it is not committed (the corpus lives in ../shared, and the
findings change whenever the rules do).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "html"


def snapshot() -> dict:
    from audit.config import Settings
    from audit.document.load import Input, load
    from audit.engine import Engine
    from audit.rulepack import load_rules

    files = sorted(CORPUS.glob("*.html")) + sorted((ROOT / "seeds").glob("*"))
    engine = Engine(load_rules(), Settings())
    out = {}
    for p in files:
        if p.suffix not in (".html", ".htm", ".txt", ".md"):
            continue
        card = engine.audit_document(load(Input(str(p), data=p.read_bytes()))).to_json()
        out[p.name] = {"score": card["score"], "findings": [
            [f["rule"], f["line"], f["column"], f["end_line"], f["end_column"], f["excerpt"], f["message"], f["points"]]
            for f in card["findings"]]}
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("write", "check"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    if not CORPUS.is_dir():
        print(f"note: {CORPUS} is absent; the snapshot covers the seeds only", file=sys.stderr)
    mode, path = argv[0], Path(argv[1])
    now = snapshot()
    if mode == "write":
        path.write_text(json.dumps(now, ensure_ascii=False), encoding="utf-8")
        print(f"{len(now)} documents, {sum(len(v['findings']) for v in now.values())} findings -> {path}")
        return 0
    before = json.loads(path.read_text(encoding="utf-8"))
    differ = 0
    for name in sorted(before.keys() | now.keys()):
        a, b = before.get(name), now.get(name)
        if a == b:
            continue
        differ += 1
        a, b = a or {"score": None, "findings": []}, b or {"score": None, "findings": []}
        print(f"{name}: score {a['score']} -> {b['score']}")
        old, new = {tuple(f) for f in a["findings"]}, {tuple(f) for f in b["findings"]}
        for f in sorted(old - new, key=str)[:5]:
            print(f"   - {f}")
        for f in sorted(new - old, key=str)[:5]:
            print(f"   + {f}")
    print(f"{len(now)} documents: " + ("identical" if not differ else f"{differ} differ"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
