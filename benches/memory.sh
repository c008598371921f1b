#!/usr/bin/env bash
# Peak memory of `bcda stats` (projected path) as the input grows, plus the gzip path, the typed
# full path (streaming engine, `typed` example of bcda-ndjson) and `bcda validate`.
#
# usage: benches/memory.sh [SIZE_MIB...]          (default: 512 1024 2048 4096)
#
# The inputs are generated with bcda-synth (example `eob_corpus`: sandbox ACO A9993, v2 R4 EOBs
# of all eight claim types, fixed reference instant, so the bytes are the same on every run):
# one part file per size step, together one unbroken beneficiary stream, so the input of size
# k is the first parts (distinct claims, nothing duplicated). The gzip input is the first
# SIZE_MIB[0] MiB gzipped (level 1). Everything is read from the page cache (warmed first).
#
# Each command runs alone while /proc/PID/status is sampled every 20 ms: peak RssAnon (heap,
# stacks: the memory "besides the mapped file"), peak RssFile (mapped file pages, which the
# kernel can drop at any time) and VmHWM (the kernel's exact peak of the total RSS).
#
# Environment: THREADS (default 2), BCDA_BIN / GEN_BIN / TYPED_BIN (prebuilt `bcda`, `eob_corpus`
# and `typed` example binaries; all three are built when none is given), TYPED_MAX_MIB (largest input
# for the typed path, default 2048), VALIDATE_MAX_MIB (largest for `bcda validate`, which runs
# the same typed path on the engine; default 2048), DATA_DIR (where to write the inputs, default a temp
# dir under $CARGO_TARGET_DIR), KEEP_DATA=1 (keep them). The data is deleted at exit otherwise.
set -euo pipefail
SIZES=(${@:-512 1024 2048 4096})
THREADS=${THREADS:-2}
TYPED_MAX_MIB=${TYPED_MAX_MIB:-2048}
VALIDATE_MAX_MIB=${VALIDATE_MAX_MIB:-2048}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT"
# Prebuilt binaries may be given (GEN_BIN, TYPED_BIN, BCDA_BIN); otherwise they are built.
if [ -z "${BCDA_BIN:-}${GEN_BIN:-}${TYPED_BIN:-}" ]; then
  cargo build --release -q -p bcda-cli -p bcda-synth -p bcda-ndjson --bin bcda \
    --example eob_corpus --example typed
fi
BCDA_BIN=${BCDA_BIN:-$CARGO_TARGET_DIR/release/bcda}
GEN=${GEN_BIN:-$CARGO_TARGET_DIR/release/examples/eob_corpus}
TYPED=${TYPED_BIN:-$CARGO_TARGET_DIR/release/examples/typed}

mkdir -p "$CARGO_TARGET_DIR"
DATA=${DATA_DIR:-$(mktemp -d "$CARGO_TARGET_DIR/bcda-memory.XXXXXX")}
mkdir -p "$DATA"
if [ -z "${KEEP_DATA:-}" ]; then trap 'rm -rf "$DATA"' EXIT; fi

# Part sizes: the first size, then the differences.
PARTS=() prev=0
for s in "${SIZES[@]}"; do
  [ "$s" -gt "$prev" ] || { echo "sizes must increase: $*" >&2; exit 2; }
  PARTS+=($((s - prev))) prev=$s
done
echo "# generating ${PARTS[*]} MiB parts and a ${SIZES[0]} MiB gzip input in $DATA"
"$GEN" "$DATA/plain" "${PARTS[@]}"
"$GEN" "$DATA/gz" "${SIZES[0]}gz"

mib() { echo $(( $1 / 1024 )); }

# measure LABEL BYTES CMD... : runs CMD alone, samples its memory, prints one table row.
measure() {
  local label=$1 bytes=$2; shift 2
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local t0 t1 pid anon=0 file=0 hwm=0 rc=0 k v
  t0=$(date +%s%N)
  "$@" >"$DATA/out" 2>"$DATA/err" &
  pid=$!
  while [ -e "/proc/$pid/status" ]; do
    {
      while read -r k v _; do
        case $k in
          RssAnon:) [ "$v" -gt "$anon" ] && anon=$v ;;
          RssFile:) [ "$v" -gt "$file" ] && file=$v ;;
          VmHWM:) [ "$v" -gt "$hwm" ] && hwm=$v ;;
        esac
      done <"/proc/$pid/status"
    } 2>/dev/null || true
    # A zombie has no Vm* lines left: stop sampling once it has exited.
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && break
    sleep 0.02
  done
  wait "$pid" || rc=$?
  t1=$(date +%s%N)
  local secs mbs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  mbs=$(awk -v n="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", n / 1e6 / s }')
  printf '| %-34s | %6.0f | %7s | %6s | %7s | %8s | %8s | %7s | %4s | %s\n' \
    "$label" "$(awk -v n="$bytes" 'BEGIN { print n / 1e6 }')" "$secs" "$mbs" \
    "$(mib $anon)" "$(mib $file)" "$(mib $hwm)" "$load" "$rc" \
    "$(tail -c 200 "$DATA/out" | tr '\n' ' ' | grep -o '[0-9.]* MB/s.*' || true)"
}

files_upto() { # the first $1 part files
  local i
  for ((i = 1; i <= $1; i++)); do echo "$DATA/plain/ExplanationOfBenefit-$i.ndjson"; done
}

echo "# $(uptime)"
echo "# bcda: $BCDA_BIN; threads: $THREADS; MB = 10^6 bytes of NDJSON; memory in MiB"
echo "| run                                |     MB |  wall s |   MB/s | RssAnon | RssFile |    VmHWM | load1 | exit | notes"
echo "|---|---|---|---|---|---|---|---|---|---|"
for ((n = 1; n <= ${#SIZES[@]}; n++)); do
  mapfile -t F < <(files_upto "$n")
  bytes=$(cat "${F[@]}" | wc -c)  # also warms the page cache
  measure "stats ${SIZES[n-1]} MiB (mmap)" "$bytes" \
    "$BCDA_BIN" stats --threads "$THREADS" --format json --quiet "${F[@]}"
  measure "stats ${SIZES[n-1]} MiB (mmap, --no-checks)" "$bytes" \
    "$BCDA_BIN" stats --threads "$THREADS" --format json --quiet --no-checks "${F[@]}"
done
# The largest input once more, streamed with read(2) instead of mmap.
measure "stats ${SIZES[-1]} MiB (--no-mmap)" "$bytes" \
  "$BCDA_BIN" stats --threads "$THREADS" --format json --quiet --no-mmap "${F[@]}"

GZ=$DATA/gz/ExplanationOfBenefit-1.ndjson.gz
mapfile -t F < <(files_upto 1)
bytes=$(cat "${F[@]}" | wc -c)
measure "stats ${SIZES[0]} MiB gzip ($(( $(stat -c %s "$GZ") >> 20 )) MiB .gz)" "$bytes" \
  "$BCDA_BIN" stats --threads "$THREADS" --format json --quiet "$GZ"

for ((n = 1; n <= ${#SIZES[@]}; n++)); do
  [ "${SIZES[n-1]}" -le "$TYPED_MAX_MIB" ] || break
  mapfile -t F < <(files_upto "$n")
  bytes=$(cat "${F[@]}" | wc -c)
  measure "typed+core ${SIZES[n-1]} MiB (example)" "$bytes" \
    "$TYPED" --threads "$THREADS" "${F[@]}"
done

for ((n = 1; n <= ${#SIZES[@]}; n++)); do
  [ "${SIZES[n-1]}" -le "$VALIDATE_MAX_MIB" ] || break
  mapfile -t F < <(files_upto "$n")
  bytes=$(cat "${F[@]}" | wc -c)
  measure "bcda validate ${SIZES[n-1]} MiB" "$bytes" \
    "$BCDA_BIN" validate --format json "${F[@]}"
done
echo "# $(uptime)"
