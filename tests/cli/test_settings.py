"""Settings read by every command: the secret key generated on first run."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path

READ_KEY = (
    "from pathlib import Path; from service.config import Settings; "
    "print(Settings(COBRO_VAR_DIR=Path({var!r}), _env_file=None).resolved_secret_key())"
)


def test_processes_starting_together_share_one_owner_only_secret_key(tmp_path: Path) -> None:
    var = tmp_path / "var"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", READ_KEY.format(var=str(var))],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=120)[0].strip() for process in processes}

    assert all(process.returncode == 0 for process in processes)
    assert len(keys) == 1
    key = keys.pop()
    assert len(key) >= 48
    path = var / "secret_key"
    assert path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_process_that_finds_the_key_file_being_written_waits_for_the_key(
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"
    var.mkdir()
    path = var / "secret_key"
    path.touch(mode=0o600)  # created by another process that has not written the key yet
    reader = subprocess.Popen(
        [sys.executable, "-c", READ_KEY.format(var=str(var))],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    # Written a moment later, once the reader has likely found the empty file: it waits for the
    # key instead of taking the empty file for one (it waits up to 5 s).
    time.sleep(1.5)
    path.write_text("k" * 64)

    out, _err = reader.communicate(timeout=120)

    assert reader.returncode == 0
    assert out.strip() == "k" * 64
