"""bcda.view / view_batches against the CLI, zero copy, view forms, errors, byte ranges."""

import json
import subprocess
import threading
import time
import _thread

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import bcda

PATIENT_VIEW = {
    "resourceType": "ViewDefinition",
    "name": "patient_basics",
    "resource": "Patient",
    "select": [{"column": [
        {"name": "id", "path": "getResourceKey()", "type": "string"},
        {"name": "gender", "path": "gender", "type": "code"},
        {"name": "birth_date", "path": "birthDate", "type": "date"},
    ]}],
}


def sorted_rows(table: pa.Table) -> list:
    """Rows as tuples, sorted (engine output has no order)."""
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return sorted(zip(*cols), key=repr)


def cli_csv(bcda_bin, builtin, path, out, schema) -> pa.Table:
    """`bcda view --builtin NAME PATH --format csv`, read back with the view's column types."""
    subprocess.run(
        [bcda_bin, "view", "--builtin", builtin, str(path), "--format", "csv", "--out", str(out), "--quiet"],
        check=True, capture_output=True,
    )
    opts = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True)
    return pacsv.read_csv(out, convert_options=opts)


@pytest.mark.parametrize("version", ["r4", "stu3"])
@pytest.mark.parametrize("builtin", ["eob_line", "eob", "patient", "coverage"])
def test_view_equals_cli_csv_row_for_row(bcda_bin, exports, tmp_path, version, builtin):
    table = bcda.view(builtin, [exports[version]])
    assert table.num_rows > 0
    cli = cli_csv(bcda_bin, builtin, exports[version], tmp_path / "out.csv", table.schema)
    assert cli.column_names == table.column_names
    assert sorted_rows(cli) == sorted_rows(table)
    assert bcda.report(table)["rows"] == table.num_rows
    assert bcda.report(table)["bad_lines"] == 0


def test_zero_copy_and_polars_duckdb_read_it_directly(exports):
    before = pa.total_allocated_bytes()
    table = bcda.view("eob_line", [exports["r4"]])
    grown = pa.total_allocated_bytes() - before
    # The batches were allocated by Rust and imported through the C data interface: pyarrow's
    # pool holds none of the table's buffers.
    assert table.nbytes > 50_000
    assert grown < table.nbytes // 20, (grown, table.nbytes)
    df = pl.from_arrow(table)
    assert df.height == table.num_rows
    [(n, paid)] = duckdb.arrow(table).aggregate("count(*), sum(paid)").fetchall()
    assert n == table.num_rows
    assert paid == sum(v for v in table.column("paid").to_pylist() if v is not None)


def test_view_as_dict_json_path_and_builtin_name(exports, tmp_path):
    as_dict = bcda.view(PATIENT_VIEW, exports["r4"])
    as_json = bcda.view(json.dumps(PATIENT_VIEW), exports["r4"])
    path = tmp_path / "view.json"
    path.write_text(json.dumps(PATIENT_VIEW))
    as_path = bcda.view(path, exports["r4"])
    as_str_path = bcda.view(str(path), exports["r4"])
    assert as_dict.num_rows == 50
    for other in (as_json, as_path, as_str_path):
        assert sorted_rows(other) == sorted_rows(as_dict)
    assert as_dict.schema.names == ["id", "gender", "birth_date"]
    assert "eob_line" in bcda.builtin_views()
    assert bcda.schema("eob_line").field("paid").type == pa.decimal128(38, 6)


def test_view_batches_streams_and_reports(exports):
    report = {}
    reader = bcda.view_batches("eob_line", [exports["r4"]], threads=2, report=report)
    assert isinstance(reader, pa.RecordBatchReader)
    assert reader.schema.equals(bcda.schema("eob_line"))
    rows = sum(b.num_rows for b in reader)
    assert rows == bcda.view("eob_line", exports["r4"]).num_rows
    assert report["rows"] == rows and report["bad_lines"] == 0


def test_bad_path_raises_input_error(tmp_path):
    missing = tmp_path / "nope.ndjson"
    with pytest.raises(bcda.InputError, match="nope.ndjson"):
        bcda.view("eob", [missing])
    with pytest.raises(bcda.InputError, match="nope.ndjson"):
        bcda.stats([missing])


def test_bad_view_raises_view_error_with_json_path(exports):
    bad = json.loads(json.dumps(PATIENT_VIEW))
    bad["select"][0]["column"][1]["path"] = "gender.frobnicate()"
    with pytest.raises(bcda.ViewError) as e:
        bcda.view(bad, exports["r4"])
    assert "select[0].column[1]" in str(e.value) and "frobnicate" in str(e.value)
    with pytest.raises(bcda.ViewError, match="not a built-in view"):
        bcda.view("no_such_view", exports["r4"])
    with pytest.raises(bcda.ViewError):
        bcda.schema('{"resourceType": "ViewDefinition"')


def test_bad_lines_are_reported_not_raised(exports, tmp_path):
    good = (exports["r4"] / "Patient.ndjson").read_text().splitlines()
    path = tmp_path / "Patient.ndjson"
    path.write_text("\n".join([good[0], '{"resourceType": "Patient", "id": ', good[1]]) + "\n")
    table = bcda.view(PATIENT_VIEW, [path])
    assert table.num_rows == 2
    rep = bcda.report(table)
    assert rep["bad_lines"] == 1
    [issue] = rep["issues"]
    assert issue["file"] == str(path) and issue["line"] == 2
    assert issue["text"].startswith(f"{path}:2:")


def test_byte_ranges_hold_every_line_once(exports):
    path = exports["r4"] / "ExplanationOfBenefit.ndjson"
    whole = bcda.view("eob_line", [path])
    size = path.stat().st_size
    for parts in (2, 7, 50):
        step = size // parts + 1
        ranges = [(path, s, min(s + step, size)) for s in range(0, size, step)]
        assert sorted_rows(bcda.view("eob_line", ranges)) == sorted_rows(whole), parts
        per_range = sum(bcda.view("eob_line", [r]).num_rows for r in ranges)
        assert per_range == whole.num_rows, parts


def test_bad_line_in_a_range_is_located_in_the_original_file(exports, tmp_path):
    lines = (exports["r4"] / "Patient.ndjson").read_bytes().splitlines(keepends=True)
    lines[30] = b'{"resourceType": "Patient", "id": \n'
    path = tmp_path / "Patient.ndjson"
    path.write_bytes(b"".join(lines))
    start = sum(len(l) for l in lines[:20]) - 5  # inside line 20: the range starts at line 21
    table = bcda.view(PATIENT_VIEW, [(path, start, path.stat().st_size)])
    assert table.num_rows == len(lines) - 20 - 1
    [issue] = bcda.report(table)["issues"]
    assert issue["file"] == str(path) and issue["line"] == 31


def test_stats_equals_cli_json(bcda_bin, exports):
    cli = subprocess.run([bcda_bin, "stats", str(exports["r4"]), "--format", "json", "--top", "5"],
                         check=True, capture_output=True, text=True)
    assert bcda.stats(exports["r4"], top=5) == json.loads(cli.stdout)


def test_ctrl_c_interrupts_a_long_run(exports):
    path = exports["r4"] / "ExplanationOfBenefit.ndjson"
    # The same file many times over: long enough to be interrupted in the middle.
    paths = [path] * 60
    threading.Timer(0.5, _thread.interrupt_main).start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        bcda.view("eob_line", paths, threads=1)
    assert time.monotonic() - start < 10
