"""The data files that ship with the package: boilerplate rules, the topic rule, the claimant
registry and the default feed list (the language lexicons ship beside their code in
``worker/figures/lexicons/``).

They are found through ``importlib.resources``, so a regular ``pip install`` needs no checkout
beside it. A setting naming a data file overrides the packaged one (see ``worker.config``).
"""

from __future__ import annotations

from pathlib import Path

BOILERPLATE = "boilerplate.toml"
TOPICS = "topics.toml"
CLAIMANTS = "claimants.toml"
FEEDS = "feeds.toml"


def packaged(name: str) -> Path:
    """The file system path of a packaged data file.

    The package is installed as plain files (setuptools, wheel), so the resource is a real
    path that worker processes can reopen by name.
    """
    from importlib.resources import files  # not needed by `worker --help`

    return Path(str(files(__name__).joinpath(name)))
