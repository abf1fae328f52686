"""argmap.base.tempfiles.new_file makes files as tempfile.mkstemp does: new (never an existing file or a link
followed), private (0600), in the folder asked, named by the prefix and suffix given."""

from __future__ import annotations

import os
import stat

import pytest

from argmap.base import tempfiles


def test_a_new_private_file_in_the_folder(tmp_path):
    made = [tempfiles.new_file(tmp_path, ".entry.", ".tmp") for _ in range(50)]
    for fd, path in made:
        os.write(fd, b"x")
        os.close(fd)
        name = os.path.basename(path)
        assert os.path.dirname(path) == str(tmp_path) and name.startswith(".entry.") and name.endswith(".tmp")
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600 and stat.S_ISREG(os.lstat(path).st_mode)
    assert len({p for _, p in made}) == 50


def test_an_existing_name_or_link_is_never_opened(tmp_path, monkeypatch):
    names = iter([b"\0" * 8, b"\1" * 8, b"\2" * 8])
    monkeypatch.setattr(tempfiles.os, "urandom", lambda n: next(names))
    (tmp_path / f"p{'00' * 8}").write_bytes(b"kept")                     # taken by a file
    os.symlink(tmp_path / "elsewhere", tmp_path / f"p{'01' * 8}")          # taken by a dangling link
    fd, path = tempfiles.new_file(tmp_path, "p")
    os.close(fd)
    assert path == str(tmp_path / f"p{'02' * 8}")
    assert (tmp_path / f"p{'00' * 8}").read_bytes() == b"kept" and not (tmp_path / "elsewhere").exists()


def test_a_missing_folder_is_an_oserror(tmp_path):
    with pytest.raises(OSError):
        tempfiles.new_file(tmp_path / "missing", "p")
