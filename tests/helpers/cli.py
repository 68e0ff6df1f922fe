"""The real CLI in a subprocess (`python -m worker`), its environment, and waiting until a
started daemon handles a signal itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.paths import ROOT


def worker_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
    env.update({"WORKER_DATABASE_URL": db_url, "WORKER_LOG_FORMAT": "json",
                "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def run_worker(args: list[str], db_url: str, *, cwd: Path = ROOT, input_: str | None = None,
               timeout: float = 180, **extra: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (python -m worker)."""
    return subprocess.run(
        [sys.executable, "-m", "worker", *args], cwd=cwd, env=worker_env(db_url, **extra),
        input=input_, capture_output=True, text=True, timeout=timeout, check=False,
    )


def catches(pid: int, signum: int) -> bool:
    """Whether process `pid` has a handler installed for `signum` (Linux: SigCgt in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


def wait_catching(proc: subprocess.Popen[bytes] | subprocess.Popen[str], signum: int,
                  timeout: float = 30) -> None:
    """Wait until `proc` has run far enough to handle `signum` itself. Before that point the
    interpreter is still starting and the signal's default action applies, as for any program."""
    deadline = time.monotonic() + timeout
    while not catches(proc.pid, signum):
        if proc.poll() is not None:
            raise AssertionError(f"the process exited with {proc.returncode} before catching "
                                 f"signal {signum}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the process did not catch signal {signum} in {timeout} s")
        time.sleep(0.002)
