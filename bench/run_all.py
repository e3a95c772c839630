"""Run every benchmark in turn; each prints its own table beside its bare floor.

    .venv/bin/python bench/run_all.py            # all
    .venv/bin/python bench/run_all.py live_fanout # one

Results are copied by hand into docs/benchmarks.md with the machine they ran on; this
script also saves the raw output under bench/results/ (not committed).
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "grouping_bench",
    "comment_intake",
    "report_scale",
    "signup_bench",
    "live_fanout",
    "vote_storm",
]


def main() -> int:
    wanted = sys.argv[1:] or ORDER
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    print(f"machine: {platform.node()} {platform.machine()} {platform.python_version()}")
    failed = 0
    for name in wanted:
        script = HERE / f"{name}.py"
        if not script.exists():
            print(f"-- {name}: not present, skipped")
            continue
        print(f"== {name}", flush=True)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(script)], cwd=HERE.parent, capture_output=True, text=True
        )
        (out_dir / f"{name}.txt").write_text(proc.stdout + proc.stderr)
        print(proc.stdout[-4000:])
        if proc.returncode:
            failed += 1
            print(proc.stderr[-2000:])
        print(f"-- {name}: {time.monotonic() - started:.0f} s, exit {proc.returncode}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
