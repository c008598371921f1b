#!/usr/bin/env bash
# The engine's speed on the ASCII bench corpus and on its "real text" variants (built by the
# bench tool benches/realtext.py: `bcda` = BCDA's Go byte style, sorted keys, Go numbers, raw
# UTF-8 display texts with Go's \u003c \u003e \u0026; `uescape` = BFD's key order, ASCII with
# \uXXXX escapes). For every corpus: `bcda stats` with every kernel in KERNELS (default: all
# this CPU runs) and the typed path + core validation (bcda-ndjson example `typed`, which does
# not use stage 1), median of RUNS (default 5) runs with the spread, warm page cache, and the
# ratio to the ASCII corpus. Fails if a corpus gives another `bcda stats` answer (claim types,
# months, beneficiaries, top codes) than the ASCII one, or if any run exits non-zero.
#
# usage: benches/corpora.sh          (env: BCDA_BENCH_MB=1024 THREADS="1 2" RUNS=5 KERNELS=...)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
MB=${BCDA_BENCH_MB:-1024}
BASE=$CARGO_TARGET_DIR/bcda-bench-synth-eob-$MB
# BCDA_BIN / TYPED_BIN: prebuilt binaries (then nothing is built).
if [ -z "${BCDA_BIN:-}" ] || [ -z "${TYPED_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p bcda-cli -p bcda-synth --example eob_corpus \
    && cargo build --release -q -p bcda-ndjson --example typed)
fi
if [ ! -f "$BASE.ndjson" ]; then
  GEN_DIR=$(mktemp -d "$CARGO_TARGET_DIR/bcda-corpus.XXXXXX")
  "$CARGO_TARGET_DIR/release/examples/eob_corpus" "$GEN_DIR" "$MB"
  mv "$GEN_DIR/ExplanationOfBenefit-1.ndjson" "$BASE.ndjson"
  rmdir "$GEN_DIR"
fi
for style in bcda uescape; do
  [ -f "$BASE-$style.ndjson" ] || python3 "$ROOT/benches/realtext.py" "$style" "$BASE.ndjson" "$BASE-$style.ndjson"
done
export BCDA_BIN=${BCDA_BIN:-$CARGO_TARGET_DIR/release/bcda}
export TYPED_BIN=${TYPED_BIN:-$CARGO_TARGET_DIR/release/examples/typed}
export THREADS=${THREADS:-1 2} RUNS=${RUNS:-5} KERNELS=${KERNELS:-}
python3 - "$BASE.ndjson" "$BASE-bcda.ndjson" "$BASE-uescape.ndjson" <<'PY'
import json, os, resource, statistics, subprocess, sys, time

bcda, typed = os.environ["BCDA_BIN"], os.environ["TYPED_BIN"]
threads = [int(t) for t in os.environ["THREADS"].split()]
runs = int(os.environ["RUNS"])
paths = sys.argv[1:]

def run(cmd, kernel=None):
    env = {**os.environ, **({"BCDA_SIMD": kernel} if kernel else {})}
    p = subprocess.run(cmd, capture_output=True, env=env)
    if p.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)} exited {p.returncode}: {p.stderr.decode()[-400:]}")
    return p.stdout

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def timed(cmd, kernel=None):
    """Wall-time median, min, max and the CPU-time median (all threads) of `runs` runs."""
    times, cpus = [], []
    for _ in range(runs):
        c0, t0 = cpu(), time.perf_counter()
        run(cmd, kernel)
        times.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
    return statistics.median(times), min(times), max(times), statistics.median(cpus)

def answer(r):
    return [r["claim_types"], r["months"], r["beneficiaries"], r["top"], r["totals"]["records"]]

wanted = os.environ.get("KERNELS", "").split() or ["avx512", "avx2", "sse42", "portable"]
probe = run([bcda, "stats", "--format", "json", "--quiet", paths[0]])
kernels = []
for k in wanted:
    p = subprocess.run([bcda, "stats", "--format", "json", "--quiet", "--no-checks", "/dev/null"],
                       capture_output=True, env={**os.environ, "BCDA_SIMD": k})
    if b"lacks" in p.stderr:
        print(f"kernel {k}: not available on this CPU")
    else:
        kernels.append(k)
want = answer(json.loads(probe))
for p in paths[1:]:
    if answer(json.loads(run([bcda, "stats", "--format", "json", "--quiet", p]))) != want:
        sys.exit(f"FAILED: {p} gives another bcda stats answer than {paths[0]}")
print(f"answers checked: the {len(paths)} corpora give the same bcda stats answer; "
      f"{runs} runs each, warm cache, load {os.getloadavg()[0]:.1f}")
for t in threads:
    rows = [(f"bcda stats {k}", [bcda, "stats", "--threads", str(t), "--format", "json",
                                 "--quiet"], k) for k in kernels]
    rows.append(("typed + core", [typed, "--threads", str(t)], None))
    print(f"-- {t} thread(s): wall MB/s median [spread], CPU MB/s (per CPU-second, median) per "
          "corpus; ratio to the ASCII corpus (wall, CPU)")
    print(f"{'':<22}" + "".join(f"{os.path.basename(p)[-24:]:>50}" for p in paths))
    for label, cmd, k in rows:
        cells, base = [], None
        for p in paths:
            mb = os.path.getsize(p) / 1e6
            med, lo, hi, c = timed(cmd + [p], k)
            speed, cpu_speed = mb / med, mb / c
            base = base or (speed, cpu_speed)
            cells.append(f"{speed:5.0f} [{mb / hi:5.0f}-{mb / lo:5.0f}] CPU {cpu_speed:5.0f} "
                         f"{speed / base[0]:4.2f}x {cpu_speed / base[1]:4.2f}x")
        print(f"{label:<22}" + "".join(f"{c:>50}" for c in cells))
PY
