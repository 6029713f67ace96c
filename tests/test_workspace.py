"""A full or missing temporary folder stops a scan with one line naming it, never a traceback."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import pytest
from prov_cli.main import app
from typer.testing import CliRunner

from provenance import corpus
from provenance.config import ScanConfig
from provenance.errors import WorkspaceError
from provenance.ingest import load
from provenance.sketch import BandStore

pytestmark = pytest.mark.usefixtures("in_tmp")
SEEDS = Path(__file__).parents[1] / "seeds"


def test_a_missing_temporary_folder_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    gone = tmp_path / "no-such-folder"
    monkeypatch.setattr(tempfile, "tempdir", str(gone))
    with pytest.raises(WorkspaceError, match=f"cannot write prov's temporary files in {gone}"):
        load([SEEDS], ScanConfig())
    with pytest.raises(WorkspaceError, match="TMPDIR"):
        BandStore(3, n_docs=10)
    result = CliRunner().invoke(app, ["scan", str(SEEDS), "--out", str(tmp_path / "report"), "--quiet"])
    assert result.exit_code == 1
    assert "cannot write prov's temporary files" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "report").exists()


class _FullDisk:
    """A temporary file on a full disk: every write fails."""

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None:
        pass


def test_a_full_disk_while_the_texts_are_written_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus.tempfile, "TemporaryFile", lambda **_: _FullDisk())
    with pytest.raises(WorkspaceError, match=r"No space left on device\): make room there or set TMPDIR"):
        load([SEEDS], ScanConfig())
