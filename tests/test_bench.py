"""The benchmarks run at smoke size with the suite, so they cannot rot; their figures are
read by people (bench/README.md), never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_workflow_benchmark_runs_at_smoke_size():
    # A separate process, as a person runs it; the command line is fixed here.
    result = subprocess.run([sys.executable, str(BENCH / "bench_workflow.py"), "--quick"],  # noqa: S603
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    # every benchmark printed its ratio line against its peer
    assert result.stdout.count("x\n") >= 3, result.stdout
    assert "done in" in result.stdout


def test_the_scale_benchmark_runs_at_smoke_size(tmp_path):
    # SQLite files only (no --postgres), whatever database the suite runs on
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    output = tmp_path / "results.json"
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(BENCH / "run.py"), "--smoke", "--output", str(output)],
        capture_output=True, text=True, timeout=600, check=False, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads(output.read_text())
    # every section measured its figure next to its floor or peer
    assert set(results) >= {"transitions", "sweep", "pages", "verify", "http", "goals"}
    assert results["transitions"]["SQLite"]["floor_per_s"] > 0
    assert results["http"]["peak_rss_mb"] > 0
    assert "goals" in result.stdout and "done in" in result.stdout
