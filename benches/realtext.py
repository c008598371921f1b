#!/usr/bin/env python3
"""Bench tool (not part of the product): rewrites an ASCII NDJSON corpus from bcda-synth into the
"real text" byte styles of actual exports, line by line, so the benchmarks can compare the same
resources in each style:

  bcda     BCDA's Go encoder: keys sorted at every level, Go's float64 number format (`50`, not
           `50.0`), raw UTF-8, and `<`, `>`, `&` written as \\u003c, \\u003e, \\u0026;
  uescape  an ASCII encoder (Python, some Java ones): BFD's key order kept, every non-ASCII
           character written as \\uXXXX.

In every second resource, the first DISPLAYS `display` texts are replaced by real CCW/BFD display
texts with non-ASCII characters (such as U+2019 and U+2013), read at run time from the reference
samples (../shared/samples, or $BCDA_SHARED/samples); every display text gets a `<...>` or `&`
marker in every fourth resource, as BFD texts have, so the HTML escapes occur. Until bcda-synth
writes these styles itself, this is how benches/ builds its "real text" corpora.

    python3 benches/realtext.py STYLE IN.ndjson OUT.ndjson
"""

import json
import os
import re
import sys
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BCDA_SHARED", ROOT.parent / "shared"))
DISPLAYS = 3
BATCH = 2000


def real_texts():
    """Distinct non-ASCII display texts of the samples (failing when there are none)."""
    pattern = re.compile(r'"display"\s*:\s*"((?:[^"\\]|\\.)*)"')
    found = set()
    for path in sorted((SHARED / "samples").rglob("*.json*")):
        for m in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
            text = json.loads('"' + m.group(1) + '"')
            if not text.isascii():
                found.add(text)
    if not found:
        sys.exit(f"no non-ASCII display text under {SHARED}/samples (set BCDA_SHARED)")
    return sorted(found)


def go_numbers(v):
    """Integral floats as integers: Go's float64 format writes 50, not 50.0."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return int(v)
    if isinstance(v, dict):
        return {k: go_numbers(c) for k, c in v.items()}
    if isinstance(v, list):
        return [go_numbers(c) for c in v]
    return v


def substitute(v, texts, state):
    """Replaces display texts in place: real ones for the first DISPLAYS, markers on all."""
    if isinstance(v, dict):
        for k, c in v.items():
            if k == "display" and isinstance(c, str):
                if state["real"] and state["n"] < DISPLAYS:
                    c = texts[(state["line"] + state["n"]) % len(texts)]
                    state["n"] += 1
                if state["html"]:
                    c = c + " <see & compare>"
                v[k] = c
            else:
                substitute(c, texts, state)
    elif isinstance(v, list):
        for c in v:
            substitute(c, texts, state)


def rewrite(job):
    style, texts, first, lines = job
    out = []
    for i, line in enumerate(lines):
        if not line.strip():
            out.append(line)
            continue
        n = first + i
        v = json.loads(line)
        substitute(v, texts, {"real": n % 2 == 0, "html": n % 4 == 0, "n": 0, "line": n})
        if style == "bcda":
            text = json.dumps(go_numbers(v), ensure_ascii=False, sort_keys=True,
                              separators=(",", ":"))
            text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        else:
            text = json.dumps(v, ensure_ascii=True, separators=(",", ":"))
        out.append(text + "\n")
    return "".join(out)


def batches(src, style, texts):
    lines, first = [], 0
    for line in src:
        lines.append(line)
        if len(lines) == BATCH:
            yield style, texts, first, lines
            first += len(lines)
            lines = []
    if lines:
        yield style, texts, first, lines


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("bcda", "uescape"):
        sys.exit(__doc__)
    style, src, dst = sys.argv[1:]
    texts = real_texts()
    with open(src, encoding="utf-8") as fin, open(dst + ".tmp", "w", encoding="utf-8") as fout:
        with Pool(os.cpu_count() or 1) as pool:
            for chunk in pool.imap(rewrite, batches(fin, style, texts)):
                fout.write(chunk)
    os.replace(dst + ".tmp", dst)
    print(f"{dst}: style {style}, {len(texts)} real display texts: {texts}", file=sys.stderr)


if __name__ == "__main__":
    main()
