"""The one door to programs other than git: errors a user can act on, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qmskit.errors import QmsError
from qmskit.process import run


def test_output_and_exit_code_come_back(tmp_path: Path) -> None:
    done = run([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr);"
                " sys.exit(3)"], cwd=tmp_path, timeout=30, what="python")
    assert (done.returncode, done.stdout.strip(), done.stderr.strip()) == (3, "out", "err")


def test_a_missing_program_is_a_qms_error(tmp_path: Path) -> None:
    with pytest.raises(QmsError, match=r"Chromium could not be started \(.*no-such-program"):
        run([str(tmp_path / "no-such-program")], cwd=tmp_path, timeout=30, what="Chromium")


def test_a_program_that_hangs_is_stopped(tmp_path: Path) -> None:
    with pytest.raises(QmsError, match="`gh issue list` did not finish within 1 s"):
        run([sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path, timeout=1,
            what="`gh issue list`")


def test_the_environment_is_passed(tmp_path: Path) -> None:
    done = run([sys.executable, "-c", "import os; print(os.environ['QMS_PROBE'])"],
               cwd=tmp_path, timeout=30, what="python",
               env={"QMS_PROBE": "seen", "PATH": "/usr/bin:/bin"})
    assert done.stdout.strip() == "seen"
