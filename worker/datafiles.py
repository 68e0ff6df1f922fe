"""Every configured data file loaded and checked once, at start.

A missing or malformed file stops the program with one line naming the setting and the file
(exit code 2), instead of a poll whose every article fails on it. The loaders are the ones the
core uses, so what passes here is what the pipeline will read; their results are cached by
path, so the check costs nothing later in this process.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

from worker.config import DATA_FILES, Settings
from worker.errors import ConfigError


def _boilerplate(path: Path) -> object:
    from worker import clean

    return clean.cached_rules(str(path))


def _topics(path: Path) -> object:
    from worker import topic

    return topic.cached_topic(str(path))


def _claimants(path: Path) -> object:
    from worker.figures.claimants import load_claimants

    return load_claimants(path)


LOADERS: dict[str, Callable[[Path], object]] = {
    "boilerplate_file": _boilerplate,
    "topics_file": _topics,
    "claimants_file": _claimants,
}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"not valid TOML: {exc}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, KeyError):
        return f"missing key {exc}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def fail(settings: Settings, key: str, path: Path, why: str) -> ConfigError:
    """The one-line error for data file `key`: the setting, the file, why, and who set it."""
    where = settings.origins.get(f"pipeline.{key}")
    told = f" (set in {where})" if where else " (the packaged default)"
    return ConfigError(f"[pipeline] {key}: {path}: {why}{told}")


def check_data_files(settings: Settings, keys: tuple[str, ...] = tuple(DATA_FILES)) -> None:
    """Load every data file named in `keys`; raise ConfigError on the first that fails."""
    from worker.feedlist import load_feed_specs

    for key in keys:
        path = settings.data_file(key)
        if not path.is_file():
            raise fail(settings, key, path,
                       "is a directory, not a file" if path.is_dir() else "file not found")
        try:
            if key == "feeds_file":
                load_feed_specs(path, settings.feeds_base())
            else:
                LOADERS[key](path)
        except ConfigError as exc:
            raise fail(settings, key, path, str(exc).removeprefix(f"{path}: ")) from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError, re.error) as exc:
            raise fail(settings, key, path, _reason(exc)) from None
