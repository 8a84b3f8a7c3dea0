"""The benchmarks run at smoke size with the suite, so they cannot rot; their figures are
read by people (bench/README.md), never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_workflow.py"


def test_the_workflow_benchmark_runs_at_smoke_size():
    # A separate process, as a person runs it; the command line is fixed here.
    result = subprocess.run([sys.executable, str(BENCH), "--quick"],  # noqa: S603
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    # every benchmark printed its ratio line against its peer
    assert result.stdout.count("x\n") >= 3, result.stdout
    assert "done in" in result.stdout
