"""run.json: input hashes, git commit, package versions, times, sorted keys."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from importlib import metadata

from prioslo import provenance as prov

# SHA-256 of the bytes b"abc" (FIPS 180-2, appendix B.1) and of the empty input.
SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
SHA_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_input_hashes_cover_top_level_files_only(tmp_path):
    (tmp_path / "opphold.csv").write_bytes(b"abc")
    (tmp_path / "tom.csv").write_bytes(b"")
    (tmp_path / ".gitkeep").write_bytes(b"x")
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "published_status.csv").write_bytes(b"abc")
    assert prov.input_hashes(tmp_path) == {"opphold.csv": SHA_ABC, "tom.csv": SHA_EMPTY}


def test_input_hashes_of_missing_folder_is_empty(tmp_path):
    assert prov.input_hashes(tmp_path / "nowhere") == {}


def test_git_commit_is_none_outside_a_checkout(tmp_path):
    assert prov.git_commit(tmp_path) is None
    assert prov.git_dirty(tmp_path) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_commit_and_dirty_of_a_checkout(tmp_path, monkeypatch):
    def git(*args):
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    (tmp_path / "a.txt").write_text("1\n")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "one")
    head = git("rev-parse", "HEAD").strip()
    assert prov.git_commit(tmp_path) == head
    assert len(head) == 40
    assert prov.git_dirty(tmp_path) is False
    (tmp_path / "a.txt").write_text("2\n")
    assert prov.git_dirty(tmp_path) is True
    # a sub-folder of a checkout is not the top of it: its commit would describe another project
    (tmp_path / "sub").mkdir()
    assert prov.git_commit(tmp_path / "sub") is None
    # without a git binary the same checkout gives None instead of an error
    monkeypatch.setenv("PATH", str(tmp_path / "sub"))
    assert prov.git_commit(tmp_path) is None


def test_package_versions_reports_installed_and_missing():
    import pandas

    versions = prov.package_versions(["pandas", "no-such-distribution-prioslo"])
    assert versions == {"pandas": pandas.__version__, "no-such-distribution-prioslo": None}


def test_provenance_record(tmp_path):
    (tmp_path / "opphold.csv").write_bytes(b"abc")
    oslo = timezone(timedelta(hours=1))
    started = datetime(2025, 1, 31, 22, 5, 7, tzinfo=oslo)
    finished = datetime(2025, 1, 31, 22, 9, 0, tzinfo=oslo)
    record = prov.provenance({"bydel": "Alna", "output_dir": tmp_path / "out", "suppress_below": 5},
                             tmp_path, started, finished, chapters=["summary", "ten_plus"])
    assert record["parameters"] == {"bydel": "Alna", "output_dir": str(tmp_path / "out"), "suppress_below": 5}
    assert record["inputs"] == {"opphold.csv": SHA_ABC}
    assert record["started"] == "2025-01-31T22:05:07+01:00"
    assert record["finished"] == "2025-01-31T22:09:00+01:00"
    assert record["chapters"] == ["summary", "ten_plus"]
    assert record["prioslo_version"] == metadata.version("prioslo")
    assert "papermill" in record["packages"] and "pandas" in record["packages"]


def test_naive_times_get_the_local_offset():
    text = prov.iso_time(datetime(2025, 6, 1, 12, 0, 0))
    assert text.startswith("2025-06-01T12:00:00")
    assert text[-6] in "+-" and text[-3] == ":"  # ends with an offset such as +02:00


def test_run_json_is_written_with_sorted_keys(tmp_path):
    path = prov.write_run_json({"zeta": 1, "alpha": {"b": 2, "a": "Grünerløkka"}}, tmp_path / "run.json")
    text = path.read_text(encoding="utf-8")
    assert text.index('"alpha"') < text.index('"zeta"')
    assert text.index('"a"') < text.index('"b"')
    assert "Grünerløkka" in text  # UTF-8, not \u escapes
    assert json.loads(text) == {"zeta": 1, "alpha": {"b": 2, "a": "Grünerløkka"}}


def test_provenance_of_this_checkout_does_not_crash():
    record = prov.provenance({}, Path(prov.paths.RAW_DIR), prov.now(), prov.now())
    assert record["git_commit"] is None or len(record["git_commit"]) == 40
