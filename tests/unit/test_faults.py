"""The fault-injection hook (worker/faults.py) parses its variable strictly and does nothing
when it is unset; the kills themselves are tested in tests/acceptance/test_crash_points.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from worker import faults


def test_spec_names_points_and_counts() -> None:
    assert faults._parse("after_version") == {"after_version": 1}
    assert faults._parse("before_remember:3, renew_lease") == {"before_remember": 3,
                                                                "renew_lease": 1}
    assert faults._parse("") == {}


def test_unknown_point_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault point 'after_lunch'"):
        faults._parse("after_lunch")


def test_unset_hook_returns() -> None:
    assert not faults._ARMED  # the test run sets no WORKER_FAULT
    for name in faults.POINTS:
        faults.point(name)


def test_armed_point_kills_at_its_nth_time() -> None:
    code = ("from worker import faults\n"
            "faults.point('after_version'); print('first', flush=True)\n"
            "faults.point('after_version'); print('second', flush=True)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"WORKER_FAULT": "after_version:2", "PATH": ""}, timeout=60,
                          check=False)
    assert done.returncode == -9
    assert done.stdout.split() == ["first"]
