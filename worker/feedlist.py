"""The feed list: the `[[feed]]` tables of a feeds file (`[pipeline] feeds_file`, by default
the packaged `worker/data/feeds.toml`) read into `FeedSpec`s, and local paths made into file:
URLs. Pure apart from reading that one file; storing the specs is `store.feeds.upsert_feeds`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from worker import schedule
from worker.errors import ConfigError

FEED_KEYS = {"url", "name", "language", "interval"}
OPTION_TYPES: dict[str, type] = {"fetch_articles": bool, "max_items": int}


@dataclass(frozen=True, kw_only=True)
class FeedSpec:
    url: str
    name: str | None = None
    language: str | None = None
    interval: int | None = None
    options: dict[str, Any] = field(default_factory=dict)


def feed_url(value: str, base_dir: Path) -> str:
    """http(s) URLs as given; a local path (relative to `base_dir`) becomes a file: URL."""
    value = value.strip()
    scheme = urlsplit(value).scheme.lower()
    if scheme in ("http", "https", "file"):
        return value
    if scheme and len(scheme) > 1:
        raise ValueError(f"unsupported URL scheme {scheme!r}: {value}")
    path = Path(value)
    path = path if path.is_absolute() else base_dir / path
    return path.resolve().as_uri()


def load_feed_specs(path: Path, base_dir: Path) -> list[FeedSpec]:
    """The `[[feed]]` tables of a feeds file (a missing file declares no feeds)."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    specs = []
    for n, raw in enumerate(data.get("feed", []), 1):
        where = f"{path}: feed {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
            raise ConfigError(f"{where}: needs a url")
        options = {}
        for key, value in raw.items():
            if key in FEED_KEYS:
                continue
            tp = OPTION_TYPES.get(key)
            if tp is None:
                raise ConfigError(f"{where}: unknown key {key!r} (known: "
                                  f"{', '.join(sorted(FEED_KEYS | set(OPTION_TYPES)))})")
            if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
                raise ConfigError(f"{where}: {key}: expected {tp.__name__}")
            options[key] = value
        try:
            interval = raw.get("interval")
            specs.append(FeedSpec(
                url=feed_url(raw["url"], base_dir), name=raw.get("name"),
                language=raw.get("language"), options=options,
                interval=None if interval is None else schedule.parse_duration(str(interval))))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return specs
