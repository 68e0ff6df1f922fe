"""The figure lexicons and the topic rule compile to the same regular expressions in every
process: alternatives are ordered by length, then alphabetically, never by a set's
hash-seeded iteration order (which differs from one process to the next)."""

from __future__ import annotations

import os
import subprocess
import sys

PROGRAM = """
import dataclasses, hashlib, re
from worker import topic
from worker.figures import load_lexicons
from worker.config import Settings

seen, out = set(), []

def walk(value):
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        out.append(value.pattern)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            walk(getattr(value, f.name))
    elif isinstance(value, dict):
        for k in sorted(value, key=repr):
            walk(value[k])
    elif isinstance(value, (list, tuple)):
        for v in value:
            walk(v)

walk(load_lexicons())
walk(topic.load_topic(Settings().data_file("topics_file")))
print(len(out), hashlib.sha256("\\n".join(out).encode()).hexdigest())
"""


def _patterns(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True,
                          text=True, check=True, timeout=120)
    return done.stdout.strip()


def test_the_same_patterns_under_any_hash_seed() -> None:
    first = _patterns("1")
    count = int(first.split()[0])
    assert count > 50, "the walk found too few patterns to test anything"
    assert _patterns("2") == first
    assert _patterns("12345") == first
