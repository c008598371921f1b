"""The measuring half of benches/duckdb_compare.sh (see there): bcda stats against DuckDB's
minimal and same-work queries, answers checked, medians with spread, warm and cold cache."""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal

import duckdb

BCDA = os.environ["BCDA_BIN"]
THREADS = [int(t) for t in os.environ["THREADS"].split()]
RUNS = int(os.environ["RUNS"])
CACHE = os.environ["CACHE"].split()
EOB_TYPE = "https://bluebutton.cms.gov/resources/codesystem/eob-type"
KNOWN = ["carrier", "dme", "hha", "hospice", "inpatient", "outpatient", "pde", "snf"]
DUCK_MAX_OBJECT = 16 * 1024 * 1024  # DuckDB's default maximum_object_size

CODING = "STRUCT(system VARCHAR, code VARCHAR)[]"
CONCEPT = f"STRUCT(coding {CODING})"
MONEY = "STRUCT(value DECIMAL(18,2))"
# bcda stats' rules: superseded versions (status cancelled / entered-in-error) are left out, and
# a Part D event's paid is its items' plan-paid adjudication cvrd_d_plan_pd_amt.
FINAL = "coalesce(status, '') NOT IN ('cancelled', 'entered-in-error')"
PDE_PAID = ("list_sum(list_transform(flatten(list_transform(item, lambda i: i.adjudication)), "
            "lambda a: CASE WHEN len(list_filter(a.category.coding, lambda c: "
            "suffix(c.code, '/cvrd_d_plan_pd_amt'))) > 0 THEN coalesce(a.amount.value, 0) "
            "ELSE 0 END))")
MINIMAL = f"""
SELECT ct, count(*), sum(CASE WHEN ct = 'pde' THEN {PDE_PAID} ELSE payment.amount.value END)
FROM (SELECT *, coalesce(lower(list_filter(type.coding, lambda c: c.system = '{EOB_TYPE}')[1].code),
                         'other') AS ct
      FROM read_ndjson(?, columns = {{'status': 'VARCHAR', 'type': '{CONCEPT}',
        'payment': 'STRUCT(amount {MONEY})',
        'item': 'STRUCT(adjudication STRUCT(category {CONCEPT}, amount {MONEY})[])[]'}}))
WHERE {FINAL}
GROUP BY 1"""
# For reference only: the query without Part D's item adjudications (every type's paid from
# `payment.amount`), as it was before Part D paid counted. DuckDB then does not materialise
# `item`; its answers equal bcda's for every claim type but pde's paid (checked).
PAYMENT_ONLY = f"""
SELECT ct, count(*), sum(payment.amount.value)
FROM (SELECT *, coalesce(lower(list_filter(type.coding, lambda c: c.system = '{EOB_TYPE}')[1].code),
                         'other') AS ct
      FROM read_ndjson(?, columns = {{'status': 'VARCHAR', 'type': '{CONCEPT}',
        'payment': 'STRUCT(amount {MONEY})'}}))
WHERE {FINAL}
GROUP BY 1"""
IDENT = "STRUCT(identifier STRUCT(system VARCHAR, value VARCHAR))"
SAME_WORK_LOAD = f"""
CREATE OR REPLACE TEMP TABLE e AS SELECT
  id,
  coalesce(lower(list_filter(type.coding, lambda c: c.system = '{EOB_TYPE}')[1].code), 'other') AS ct,
  CASE WHEN ct = 'pde' THEN coalesce({PDE_PAID}, 0)
       ELSE coalesce(payment.amount.value, 0) END AS paid,
  regexp_replace(patient.reference, '^Patient/', '') AS bene,
  coalesce(billablePeriod."start", item[1].servicedDate) AS s,
  coalesce(billablePeriod."end", billablePeriod."start", item[1].servicedDate) AS f,
  total, item, diagnosis, careTeam, provider
FROM read_ndjson(?, columns = {{
  'id': 'VARCHAR', 'status': 'VARCHAR', 'type': '{CONCEPT}', 'payment': 'STRUCT(amount {MONEY})',
  'patient': 'STRUCT(reference VARCHAR)',
  'billablePeriod': 'STRUCT("start" VARCHAR, "end" VARCHAR)',
  'total': 'STRUCT(category {CONCEPT}, amount {MONEY})[]',
  'item': 'STRUCT(productOrService {CONCEPT}, servicedDate VARCHAR,
                  adjudication STRUCT(category {CONCEPT}, amount {MONEY})[])[]',
  'diagnosis': 'STRUCT(diagnosisCodeableConcept {CONCEPT})[]',
  'careTeam': 'STRUCT(provider {IDENT})[]', 'provider': '{IDENT}'}})
WHERE {FINAL}"""
CATEGORY = "regexp_extract(coalesce(list_filter(x.category.coding, lambda c: contains(c.system, " \
           "'bluebutton.cms.gov'))[1].code, x.category.coding[1].code), '[^/]*$')"
SAME_WORK = [
    "SELECT ct, count(*), sum(len(item)), sum(paid), min(s), max(f) FROM e GROUP BY ct",
    f"SELECT ct, {CATEGORY}, sum(x.amount.value) FROM (SELECT ct, unnest(total) x FROM e) "
    "GROUP BY ALL",
    f"SELECT ct, {CATEGORY}, sum(x.amount.value) FROM (SELECT ct, unnest(flatten("
    "list_transform(item, lambda i: i.adjudication))) x FROM e) GROUP BY ALL",
    "SELECT substr(s, 1, 7) m, count(*), sum(paid) FROM e WHERE s IS NOT NULL GROUP BY m "
    "ORDER BY m",
    "SELECT count(DISTINCT bene) FROM e",
    "SELECT bene, count(*), sum(paid) p FROM e GROUP BY bene ORDER BY p DESC, bene LIMIT 10",
    "SELECT code, count(*) n FROM (SELECT unnest(list_transform(diagnosis, lambda d: list_filter("
    "d.diagnosisCodeableConcept.coding, lambda c: contains(c.system, 'icd-10'))[1].code)) code "
    "FROM e) WHERE code IS NOT NULL GROUP BY code ORDER BY n DESC, code LIMIT 10",
    "SELECT x.system LIKE '%ndc%', x.code, count(*) n FROM (SELECT unnest(list_transform(item, "
    "lambda i: list_filter(i.productOrService.coding, lambda c: contains(c.system, 'hcpcs') OR "
    "contains(c.system, 'cpt') OR contains(c.system, 'ndc'))[1])) x FROM e) WHERE x IS NOT NULL "
    "GROUP BY ALL ORDER BY n DESC LIMIT 20",
    "SELECT v, count(*) n FROM (SELECT unnest(list_concat(list_transform(careTeam, "
    "lambda c: c.provider.identifier), [provider.identifier])) x FROM e), (SELECT x.value v) "
    "WHERE x.system = 'http://hl7.org/fhir/sid/us-npi' GROUP BY v ORDER BY n DESC, v LIMIT 10",
    "SELECT count(*) FROM (SELECT id FROM e GROUP BY id HAVING count(*) > 1)",
]


def fail(msg):
    sys.exit(f"FAILED: {msg}")


def drop_caches():
    with open("/proc/sys/vm/drop_caches", "w") as fh:
        fh.write("3\n")


def can_drop_caches():
    try:
        os.sync()
        drop_caches()
        return True
    except OSError:
        return False


def warm(path):
    with open(path, "rb", buffering=0) as fh:
        while fh.read(16 << 20):
            pass


def longest_line(path):
    longest = 0
    with open(path, "rb") as fh:
        for line in fh:
            longest = max(longest, len(line))
    return longest


TYPED = os.environ.get("TYPED_BIN")


def typed_path(path, threads, records):
    """bcda-ndjson's `typed` example (strict model + core validation of every line): must
    read every record as valid."""
    p = subprocess.run([TYPED, "--threads", str(threads), path], capture_output=True)
    if p.returncode != 0:
        fail(f"typed exited {p.returncode}: {p.stderr.decode()[-500:]}")
    out = p.stdout.decode()
    if f" {records} resources, 0 invalid, 0 errors" not in out:
        fail(f"typed path: expected {records} valid resources, got: {out.strip()}")


def bcda_stats(path, threads, kernel):
    env = dict(os.environ)
    if kernel:
        env["BCDA_SIMD"] = kernel
    p = subprocess.run([BCDA, "stats", "--threads", str(threads), "--format", "json", "--quiet",
                        path], capture_output=True, env=env)
    if p.returncode != 0:
        fail(f"bcda stats exited {p.returncode} ({kernel or 'auto'}): {p.stderr.decode()[-500:]}")
    report = json.loads(p.stdout)
    if kernel and report.get("simd_kernel") != kernel:
        fail(f"BCDA_SIMD={kernel} but the report says {report.get('simd_kernel')}")
    return report


def kernels():
    """The kernels to measure: KERNELS, or every one this CPU runs (probed with BCDA_SIMD)."""
    wanted = os.environ.get("KERNELS", "").split() or ["avx512", "avx2", "sse42", "portable"]
    probe = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"bcda-probe-{os.getpid()}.ndjson")
    with open(probe, "w") as fh:
        fh.write('{"resourceType":"Patient","id":"1"}\n')
    usable = []
    for k in wanted:
        p = subprocess.run([BCDA, "stats", "--format", "json", "--quiet", probe],
                           capture_output=True, env={**os.environ, "BCDA_SIMD": k})
        if p.returncode == 0:
            usable.append(k)
        else:
            print(f"kernel {k}: not run ({p.stderr.decode().strip().splitlines()[-1]})")
    os.remove(probe)
    return usable


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(f, state, path, cpu_clock):
    """Median and spread (min, max) of RUNS wall times of f(), in seconds, and the median CPU
    time (all threads; on a shared machine the wall time includes waiting for a core)."""
    times, cpus = [], []
    for _ in range(RUNS):
        if state == "cold":
            drop_caches()
        else:
            warm(path)
        c0, t0 = cpu_clock(), time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
        cpus.append(cpu_clock() - c0)
    return statistics.median(times), min(times), max(times), statistics.median(cpus)


def by_type(rows):
    out = {}
    for ct, claims, paid in rows:
        key = ct if ct in KNOWN else "other"
        c, p = out.get(key, (0, Decimal(0)))
        out[key] = (c + claims, p + Decimal(paid or 0))
    return out


def bcda_by_type(report):
    """bcda's per-type (claims, paid) for the types with claims."""
    return {t["claim_type"]: (t["claims"], Decimal(t["paid"])) for t in report["claim_types"]
            if t["claims"]}


def check_payment_only(report, rows, label):
    duck = by_type(rows)
    mine = bcda_by_type(report)
    for t, (claims, paid) in mine.items():
        if t == "pde":
            paid = duck.get(t, (0, paid))[1]
        if duck.get(t) != (claims, paid):
            fail(f"{label}: payment-only query differs for {t}: bcda {(claims, paid)}, "
                 f"duckdb {duck.get(t)}")


def check_minimal(report, rows, label):
    duck = by_type(rows)
    mine = bcda_by_type(report)
    if duck != mine:
        fail(f"{label}: per-type claims/paid differ\n  bcda   {mine}\n  duckdb {duck}")


def check_months(report, rows, label):
    duck = {m: (n, Decimal(p or 0)) for m, n, p in rows}
    mine = {m["month"]: (m["claims"], Decimal(m["paid"])) for m in report["months"]}
    if duck != mine:
        fail(f"{label}: per-month claims/paid differ\n  bcda   {mine}\n  duckdb {duck}")


def same_work(con, path):
    con.execute(SAME_WORK_LOAD, [path])
    results = [con.execute(q).fetchall() for q in SAME_WORK]
    con.execute("DROP TABLE e")
    return results


def show(label, mb, t, base=None):
    med, lo, hi, cpu = t
    ratio = f" | {base[0] / med:5.2f}x (CPU {base[3] / cpu:5.2f}x)" if base else ""
    return (f"{label:<22} {mb / med:7.0f} MB/s [{mb / hi:5.0f}-{mb / lo:5.0f}] "
            f"CPU {mb / cpu:6.0f} MB/s{ratio}")


def compare(path, ks, cold_ok):
    mb = os.path.getsize(path) / 1e6
    longest = longest_line(path)
    print(f"\n== {path}: {mb:.0f} MB, longest line {longest} bytes "
          f"(DuckDB default maximum_object_size {DUCK_MAX_OBJECT})")
    if longest > DUCK_MAX_OBJECT:
        fail("a line exceeds DuckDB's default maximum_object_size")
    con = duckdb.connect()
    reports = {k: bcda_stats(path, 2, k) for k in ks}
    first = next(iter(reports.values()))
    for k, r in reports.items():
        if r["claim_types"] != first["claim_types"] or r["months"] != first["months"]:
            fail(f"kernel {k} gives another report")
    check_minimal(first, con.execute(MINIMAL, [path]).fetchall(), path)
    check_payment_only(first, con.execute(PAYMENT_ONLY, [path]).fetchall(), path)
    check_months(first, same_work(con, path)[3], path)
    print(f"answers checked: bcda ({', '.join(ks)}) = DuckDB minimal (per-type claims, paid) "
          f"= DuckDB same work (per-month claims, paid); {first['totals']['records']} records")
    for state in CACHE:
        if state == "cold" and not cold_ok:
            print("cold: skipped (drop_caches needs root)")
            continue
        for t in THREADS:
            con.execute(f"SET threads = {t}")
            duck = measure(lambda: con.execute(MINIMAL, [path]).fetchall(), state, path,
                           time.process_time)
            work = measure(lambda: same_work(con, path), state, path, time.process_time)
            pay = measure(lambda: con.execute(PAYMENT_ONLY, [path]).fetchall(), state, path,
                          time.process_time)
            print(f"-- {state}, {t} thread(s); load {os.getloadavg()[0]:.1f}; wall MB/s median "
                  "[spread], CPU MB/s per CPU-second (median); ratio = DuckDB time / bcda time")
            print(show("duckdb minimal", mb, duck))
            print(show("duckdb same work", mb, work))
            print(show("duckdb payment-only*", mb, pay))
            for k in ks:
                b = measure(lambda: bcda_stats(path, t, k), state, path, children_cpu)
                print(show(f"bcda stats {k}", mb, b, duck) +
                      f" vs minimal | {work[0] / b[0]:5.2f}x (CPU {work[3] / b[3]:5.2f}x)"
                      f" vs same work | {pay[0] / b[0]:5.2f}x (CPU {pay[3] / b[3]:5.2f}x)"
                      " vs payment-only*")
            if TYPED:
                n = first["totals"]["records"]
                b = measure(lambda: typed_path(path, t, n), state, path, children_cpu)
                print(show("typed + core", mb, b, duck) + " vs minimal")
    print("* payment-only: reference, not the same answer (pde paid from payment.amount, "
          "item not read); every other figure checked equal")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"peak RSS MiB: python+duckdb {peak}")


def main():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "?")
    print(f"CPU {cpu}, {os.cpu_count()} CPUs; duckdb {duckdb.__version__}; runs {RUNS}")
    ks = kernels()
    if not ks:
        fail("no kernel runs")
    cold_ok = "cold" in CACHE and can_drop_caches()
    for path in sys.argv[1:]:
        compare(path, ks, cold_ok)


if __name__ == "__main__":
    main()
