#!/usr/bin/env bash
# Fetches the official FHIR example packages used by the tests into .cache/fhir-packages/
# (npm pack; CC0). Idempotent; the importer verifies their sha256 when it reads them.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/fhir-packages
mkdir -p "$dir"
for pkg in hl7.fhir.r4.examples@4.0.1 hl7.fhir.r3.examples@3.0.2; do
  file="$dir/${pkg/@/-}.tgz"
  if [ ! -s "$file" ]; then
    npm pack "$pkg" --pack-destination "$dir" --silent >/dev/null
  fi
done
sha256sum -c <<SUMS
dce87f1b5b9341867033f7d1f544fa1b5232503f6d62813887ac6b8a8b6cb682  $dir/hl7.fhir.r4.examples-4.0.1.tgz
ebe6e5220a6aff2da952f3bc0fe1c83122d38dde2de0ae020a0337b45824ba78  $dir/hl7.fhir.r3.examples-3.0.2.tgz
SUMS
