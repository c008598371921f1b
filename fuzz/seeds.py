#!/usr/bin/env python3
"""Builds the seed corpora of fuzz/corpus/<target>/ from the reference samples (../shared/samples,
or $BCDA_SHARED/samples) and the official HL7 examples (.cache/fhir-packages, fetched by
scripts/fetch-test-data.sh). Seeds are single resources (compact JSON, at most MAX_SEED bytes) and
small hand-written inputs; no sample file is copied whole. Idempotent: file names are content
hashes, existing files are kept.

    python3 fuzz/seeds.py            # then: cargo fuzz cmin -s none <target> (optional)
"""

import gzip
import hashlib
import json
import os
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
SHARED = Path(os.environ.get("BCDA_SHARED", ROOT.parent / "shared"))
PACKAGES = ROOT / ".cache" / "fhir-packages"
MAX_SEED = 12_000
PER_TYPE = 6  # official examples kept per resource type

BCDA_TYPES = {
    "Patient", "Coverage", "ExplanationOfBenefit", "Claim", "ClaimResponse",
    "OperationOutcome", "Bundle", "Organization", "Practitioner", "Group",
}


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def resources_in(obj):
    """A resource, or the resources of a Bundle's entries (and the Bundle if small)."""
    if obj.get("resourceType") == "Bundle":
        for e in obj.get("entry", []):
            if isinstance(e.get("resource"), dict):
                yield e["resource"]
    yield obj


def sample_resources(version):
    out = []
    base = SHARED / "samples" / version
    for p in sorted(base.glob("*.json")):
        try:
            out.extend(resources_in(json.loads(p.read_text())))
        except ValueError:
            pass
    for p in sorted(base.glob("*.ndjson")):
        for i, line in enumerate(p.read_text().splitlines()):
            if i >= 8:
                break
            if line.strip():
                try:
                    out.extend(resources_in(json.loads(line)))
                except ValueError:
                    pass
    # Shortest first per type, distinct texts.
    seen, kept, per = set(), [], {}
    for r in sorted(out, key=lambda r: len(compact(r))):
        t = compact(r)
        key = r.get("resourceType")
        if t in seen or len(t.encode()) > MAX_SEED or per.get(key, 0) >= 10:
            continue
        seen.add(t)
        per[key] = per.get(key, 0) + 1
        kept.append(t)
    return kept


def official(package):
    path = PACKAGES / package
    if not path.is_file():
        print(f"note: {path} missing (run scripts/fetch-test-data.sh); official seeds skipped",
              file=sys.stderr)
        return []
    per, out = {}, []
    docs = []
    with tarfile.open(path) as tar:
        for m in tar:  # sequential: random access into a .tgz decompresses from the start
            if not m.name.endswith(".json") or "/other/" in m.name or m.name.endswith("package.json"):
                continue
            try:
                docs.append(json.loads(tar.extractfile(m).read()))
            except ValueError:
                continue
    for obj in sorted(docs, key=lambda o: len(compact(o))):
        t = obj.get("resourceType") if isinstance(obj, dict) else None
        if t not in BCDA_TYPES or per.get(t, 0) >= PER_TYPE:
            continue
        text = compact(obj)
        if len(text.encode()) <= MAX_SEED:
            per[t] = per.get(t, 0) + 1
            out.append(text)
    return out


def main():
    v1 = sample_resources("v1") + official("hl7.fhir.r3.examples-3.0.2.tgz")
    v2 = sample_resources("v2") + official("hl7.fhir.r4.examples-4.0.1.tgz")
    for t in v1:
        put("fhir_stu3", t)
    for t in v2:
        put("fhir_r4", t)
    for t in v1[::3] + v2[::3]:
        put("fhir_validate", t)

    # Engine: small files of a few short lines; byte 0 picks the chunk size.
    short = sorted(v1 + v2, key=len)[:40]
    files = []
    for i in range(0, 30, 3):
        files.append("\n".join(short[i:i + 3]) + "\n")
    files.append("\r\n".join(short[:2]) + "\r\n\n   \n" + short[2][: len(short[2]) // 2])
    files.append(short[0] + "\n" + '{"resourceType":"Bundle","type":"collection","entry":[{"resource":'
                 + short[1] + "}]}\n")
    files.append('{"resourceType":"ExplanationOfBenefit","id":"e","payment":{"amount":{"value":12.50}}}\n'
                 '{"id":"x"}\n\xff\xfe\n{"resourceType":"Patient",\n')
    for i, f in enumerate(files):
        data = f.encode("utf-8", "surrogateescape") if isinstance(f, str) else f
        put("ndjson_engine", bytes([i % 5]) + data)
        z = gzip.compress(data, mtime=0)
        put("ndjson_gzip", z)
        if i % 3 == 0:
            put("ndjson_gzip", z + gzip.compress(data[: len(data) // 2], mtime=0))  # two members
            put("ndjson_gzip", z[: len(z) * 2 // 3])  # truncated
            bad = bytearray(z)
            bad[10] ^= 0xFF
            put("ndjson_gzip", bytes(bad) + z)  # corrupt member, then a good one

    for q in [
        "_type=Patient,Coverage&_since=2020-02-13T08:00:00.000-05:00&_outputFormat=application%2Ffhir%2Bndjson",
        "_type=ExplanationOfBenefit", "_type=Claim,ClaimResponse", "_since=2021-01-01T00:00:00Z",
        "_outputFormat=ndjson&_type=Patient&_type=Bogus", "_elements=id", "?_since=x",
        "_type=Patient,Patient", "_since=2020-01-01", "_status=Completed,Failed",
        "_status=In%20Progress,Archived,Expired", "_status=Pending&_status=Bogus",
        "a=%zz&b=%4&c=%41+b", "_since=2019-12-31T23:59:59.999999999%2B14:00",
        "application/fhir+json\nrespond-async",
    ]:
        put("export_query", q)

    claims = {"iss": "ssas", "iat": 1700000000, "exp": 4102444800,
              "jti": "3f1c1a2e-0000-4000-8000-000000000000", "use": "AccessToken",
              "cid": "0438247f-4b9f-4426-a595-9f712f252b83", "sys": "1",
              "dat": '{"cms_ids":["A9994"]}'}
    for h in ["Bearer a.b.c", "Bearer ", "Bearer  x", "bearer x.y.z", "Basic YTpi",
              "basic MDQzODI0N2Y6c2VjcmV0", "Basic Og==", "Basic !!!"]:
        put("auth", b"\x00" + h.encode())
    put("auth", b"\x01" + compact(claims).encode())
    put("auth", b"\x01" + b'{"alg":"HS512","typ":"JWT"}\xff' + compact(claims).encode())
    put("auth", b"\x01" + b'{"alg":"RS512"}\xff' + compact(dict(claims, iss="other")).encode())
    put("auth", b"\x01" + compact(dict(claims, exp=1000)).encode())
    put("auth", b"\x02")
    put("auth", b"\x02\x80\x01")
    put("auth", b"\x02\xff\x00")

    manifest = {
        "transactionTime": "2026-12-09T20:44:01.705398Z",
        "request": "https://sandbox.bcda.cms.gov/api/v2/Group/all/$export",
        "requiresAccessToken": True,
        "output": [{"type": "ExplanationOfBenefit", "url": "http://h/data/42/a.ndjson"},
                   {"type": "Patient", "url": "http://h/data/42/b.ndjson?x=1"}],
        "error": [{"type": "OperationOutcome", "url": "http://h/data/42/a-error.ndjson"}],
        "JobID": 42,
    }
    put("client_manifest", compact(manifest))
    put("client_manifest", json.dumps(dict(manifest, error=[], output=[{"type": "Patient", "url": "http://h/data/42/.."}])))
    put("client_manifest", '{"access_token": "x.y.z", "expires_in": "1200", "token_type":"bearer"}')
    put("client_manifest", '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"x"}]}')
    put("client_manifest", '{"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"resource":{"resourceType":"Task","id":"7","status":"completed","identifier":[{"use":"official","system":"http://bcda.cms.gov/jobs","value":"7"}]}}]}')


if __name__ == "__main__":
    main()
