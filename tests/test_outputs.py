"""The output folder: mirrored names that never collide, a lasting ledger, honest caching.

Every file under an input folder gets an outcome; the summary and the review index
describe every file ever processed into the folder, with real figures for unchanged
ones; a JSON is redone when the code changes; files are written with the umask.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES
from report_factory import assert_values, make_report, to_text

from extractors import source_digest
from extractors.batch import Outcome, find_inputs, run_batch
from extractors.ledger import LEDGER_NAME, read_ledger
from extractors.report import Report
from flows.views.review_site import build_review_site

SAMPLE = SAMPLES / "000_e67d0018f5985882.txt"


def _report(path: Path) -> Report:
    return Report.model_validate_json(path.read_bytes())


@pytest.fixture
def issuers(tmp_path: Path) -> Path:
    """Two issuers' folders, each holding a `2019.txt` with different figures."""
    root = tmp_path / "reports"
    for folder, seed in (("anshan", 1), ("huaian", 2)):
        (root / folder).mkdir(parents=True)
        (root / folder / "2019.txt").write_text(
            to_text(make_report(seed=seed)), "utf-8"
        )
    return root


def test_same_names_in_two_folders_get_two_mirrored_jsons(
    issuers: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    summary = run_batch(find_inputs([issuers]), out, roots=[issuers])
    assert summary.counts == {"processed": 2, "unchanged": 0, "failed": 0}
    for folder, seed in (("anshan", 1), ("huaian", 2)):
        report = _report(out / folder / "2019.json")
        assert report.source.file == f"{folder}/2019.txt"
        assert_values(report, make_report(seed=seed))
    assert [f.output for f in summary.files] == ["anshan/2019.json", "huaian/2019.json"]
    again = run_batch(find_inputs([issuers]), out, roots=[issuers])
    assert again.counts == {"processed": 0, "unchanged": 2, "failed": 0}


def test_same_names_across_runs_never_overwrite(issuers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    anshan, huaian = issuers / "anshan" / "2019.txt", issuers / "huaian" / "2019.txt"
    first = run_batch([anshan], out)
    second = run_batch([huaian], out)
    assert [first.files[0].output, second.files[0].output] == [
        "2019.json",
        "2019~2.json",
    ]
    assert_values(_report(out / "2019.json"), make_report(seed=1))
    assert_values(_report(out / "2019~2.json"), make_report(seed=2))
    # Each input keeps its JSON in later runs, in any order.
    later = run_batch([huaian, anshan], out)
    assert [(f.outcome, f.output) for f in later.files] == [
        (Outcome.UNCHANGED, "2019~2.json"),
        (Outcome.UNCHANGED, "2019.json"),
    ]


def test_summary_and_index_describe_every_file_ever_processed(
    tmp_path: Path,
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SAMPLE, inputs / "sample.txt")
    (inputs / "other.txt").write_text(to_text(make_report(seed=3)), "utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    run_batch(find_inputs([inputs]), out)
    run_batch([inputs / "sample.txt"], out)  # a later run with one file only

    written = json.loads((out / "_summary.json").read_text("utf-8"))
    by_name = {f["name"]: f for f in written["files"]}
    assert sorted(by_name) == ["empty.json", "other.json", "sample.json"]
    assert written["last_run"]["counts"] == {
        "processed": 0,
        "unchanged": 1,
        "failed": 0,
    }
    sample = by_name["sample.json"]
    # Unchanged, and still with its real figures, not blanks.
    assert sample["outcome"] == "unchanged"
    assert (sample["tables_found"], sample["status"]) == (3, "success")
    assert sample["cells"] > 100
    assert len(sample["failed_checks"]) == 3
    assert (by_name["empty.json"]["outcome"], by_name["empty.json"]["error_code"]) == (
        "failed",
        "empty",
    )
    assert by_name["other.json"]["outcome"] == "processed"
    assert len(read_ledger(out)) == 4
    csv_rows = (out / "_summary.csv").read_text("utf-8").splitlines()
    assert len(csv_rows) == 4 and csv_rows[0].startswith("file,outcome,status")

    site = build_review_site(out, tmp_path / "review")
    index = (tmp_path / "review" / "index.html").read_text("utf-8")
    assert len(site.pages) == 2
    assert 'href="sample.html"' in index and 'href="other.html"' in index
    assert "empty: the file is empty" in index


def test_review_pages_of_mirrored_outputs_do_not_collide(
    issuers: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_batch(find_inputs([issuers]), out, roots=[issuers])
    site = build_review_site(out, tmp_path / "review")
    assert sorted(p.name for p in site.pages.values()) == [
        "anshan__2019.html",
        "huaian__2019.html",
    ]
    index = (tmp_path / "review" / "index.html").read_text("utf-8")
    assert ">anshan/2019.txt</a>" in index and ">huaian/2019.txt</a>" in index


def test_a_code_change_redoes_outputs_of_the_old_version(tmp_path: Path) -> None:
    package = tmp_path / "extractors"
    shutil.copytree(ROOT / "extractors", package)
    before = source_digest(package)
    assert source_digest(package) == before  # stable
    specs = package / "template" / "specs.py"
    specs.write_text(specs.read_text("utf-8") + "\n# a new synonym\n", "utf-8")
    assert source_digest(package) != before

    out = tmp_path / "out"
    run_batch([SAMPLE], out)
    target = out / f"{SAMPLE.stem}.json"
    data = json.loads(target.read_text("utf-8"))
    assert run_batch([SAMPLE], out).files[0].outcome is Outcome.UNCHANGED
    data["pipeline_version"] = "0.1.0+000000000000"  # written by an older code
    target.write_text(json.dumps(data), "utf-8")
    assert run_batch([SAMPLE], out).files[0].outcome is Outcome.PROCESSED


def _ofd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("2019.txt", "报告")
    return buffer.getvalue()


MHT = (
    b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/related; boundary="----b"\r\n\r\n------b\r\n'
    b"Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"<html>=E6=8A=A5=E5=91=8A</html>\r\n------b--\r\n"
)


def test_every_file_in_a_folder_gets_an_outcome_whatever_its_name(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "archive"
    (folder / "sub").mkdir(parents=True)
    made = make_report(seed=4)
    (folder / "2019年报告").write_text(to_text(made), "utf-8")  # no extension
    (folder / "README").write_text("下载说明：请使用WPS打开。\n", "utf-8")
    (folder / "report.wps").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4
    )
    (folder / "sub" / "report.ofd").write_bytes(_ofd())
    (folder / "sub" / "page.mht").write_bytes(MHT)
    (folder / "bundle.zip").write_bytes(_zip())
    (folder / "sub" / "answer.json").write_text('{"requests": {}}', "utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    summary = run_batch(find_inputs([folder]), tmp_path / "out", roots=[folder])
    got = {f.source: f for f in summary.files}
    assert sorted(got) == [
        "2019年报告",
        "README",
        "bundle.zip/2019.txt",
        "report.wps",
        "sub/answer.json",
        "sub/page.mht",
        "sub/report.ofd",
    ]
    assert got["2019年报告"].status == "success"
    assert_values(_report(tmp_path / "out" / "2019年报告.json"), made)
    assert (got["README"].outcome, got["README"].status) == (
        Outcome.PROCESSED,
        "failure",
    )
    kinds = {
        name: (got[name].outcome, got[name].error_code, got[name].detected_kind)
        for name in ("sub/report.ofd", "sub/answer.json")
    }
    assert kinds == {
        "sub/answer.json": (Outcome.FAILED, "unsupported_type", "json"),
        "sub/report.ofd": (Outcome.FAILED, "corrupt", None),  # an empty OFD package
    }
    # A ZIP bundle's members are documents of the batch (this one is no report).
    member = got["bundle.zip/2019.txt"]
    assert (member.outcome, member.status) == (Outcome.PROCESSED, "failure")
    # A web archive is unwrapped and read as the page it holds (no report here).
    assert (got["sub/page.mht"].outcome, got["sub/page.mht"].status) == (
        Outcome.PROCESSED,
        "failure",
    )
    wps = got["report.wps"]
    assert wps.outcome is Outcome.FAILED and wps.error_code in {
        "corrupt",
        "unsupported_type",
    }


def test_a_zip_bundle_is_read_member_by_member_and_a_hostile_member_refused(
    tmp_path: Path,
) -> None:
    made = make_report(seed=6)
    folder = tmp_path / "in"
    (folder / "2020").mkdir(parents=True)
    with zipfile.ZipFile(folder / "2020" / "reports.zip", "w") as bundle:
        bundle.writestr("洪泽区/2022.txt", to_text(made))
        bundle.writestr("../../escape.txt", "报告")
    (folder / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    out = tmp_path / "out"
    first = run_batch(find_inputs([folder]), out, roots=[folder])
    got = {f.source: f for f in first.files}
    assert sorted(got) == [
        "2020/reports.zip/../../escape.txt",
        "2020/reports.zip/洪泽区/2022.txt",
        "broken.zip",
    ]
    member = got["2020/reports.zip/洪泽区/2022.txt"]
    assert (member.outcome, member.status) == (Outcome.PROCESSED, "success")
    report = _report(out / "2020" / "reports.zip" / "洪泽区" / "2022.json")
    assert report.source.file == "2020/reports.zip/洪泽区/2022.txt"
    assert_values(report, made)
    escape = got["2020/reports.zip/../../escape.txt"]
    assert (escape.outcome, escape.error_code) == (Outcome.FAILED, "corrupt")
    assert got["broken.zip"].outcome is Outcome.FAILED
    assert not (tmp_path / "escape.txt").exists()
    assert not (out / ".bundles").exists()  # unpacked members are gone
    # The same bundle again: its members are unchanged, under the same names.
    again = {
        f.source: f.outcome
        for f in run_batch(find_inputs([folder]), out, roots=[folder]).files
    }
    assert again["2020/reports.zip/洪泽区/2022.txt"] is Outcome.UNCHANGED


def test_output_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "sample.txt")
    run_batch(find_inputs([tmp_path], [tmp_path / "out"]), tmp_path / "out")
    again = find_inputs([tmp_path], [tmp_path / "out"])
    assert again == [tmp_path / "sample.txt"]


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def test_outputs_are_written_with_the_process_umask(
    umask_027: None, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_batch([SAMPLE], out)
    for name in (f"{SAMPLE.stem}.json", "_summary.json", "_summary.csv", LEDGER_NAME):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o640, name
