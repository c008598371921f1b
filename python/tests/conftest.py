"""Fixtures: the bcda binary and small synthetic v1 (STU3) and v2 (R4) exports made with it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "2025-01-01T00:00:00Z"


@pytest.fixture(scope="session")
def bcda_bin() -> str:
    """The `bcda` CLI (BCDA_BIN, else target/debug/bcda): the reference the package must match."""
    path = os.environ.get("BCDA_BIN") or str(ROOT / "target" / "debug" / "bcda")
    if not os.access(path, os.X_OK):
        pytest.fail(f"the bcda binary is missing at {path}: run `cargo build -p bcda-cli` or set BCDA_BIN")
    return path


@pytest.fixture(scope="session")
def exports(bcda_bin, tmp_path_factory) -> dict:
    """`bcda generate --aco A9994` in both FHIR versions: {"r4": dir, "stu3": dir}."""
    base = tmp_path_factory.mktemp("exports")
    out = {}
    for version in ("r4", "stu3"):
        d = base / version
        subprocess.run(
            [bcda_bin, "generate", "--aco", "A9994", "--fhir-version", version,
             "--reference", REFERENCE, "--out", str(d)],
            check=True, capture_output=True,
        )
        out[version] = d
    return out


@pytest.fixture(scope="session")
def several_files(exports, tmp_path_factory) -> Path:
    """A directory of several files: the v2 EOBs cut into three files, plus the v1 export."""
    d = tmp_path_factory.mktemp("several")
    lines = (exports["r4"] / "ExplanationOfBenefit.ndjson").read_bytes().splitlines(keepends=True)
    third = len(lines) // 3 + 1
    for i in range(3):
        (d / f"ExplanationOfBenefit-{i}.ndjson").write_bytes(b"".join(lines[i * third:(i + 1) * third]))
    shutil.copytree(exports["stu3"], d / "v1")
    return d
