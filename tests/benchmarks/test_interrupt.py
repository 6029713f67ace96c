"""``interrupt.py`` interrupts a command and says how it ended."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "interrupt.py"

WAITS = "import sys, time\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    sys.exit('stopped')\n"


def test_the_command_gets_sigint_and_its_end_is_reported() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--after", "0.5", "--", sys.executable, "-c", WAITS],
        capture_output=True,
        text=True,
        timeout=50,  # the command would sleep 60 s if the interrupt never reached it
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("workers 0; exit 1 after ")
    assert done.stdout.strip().endswith("; stopped")
