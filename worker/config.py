"""One typed Settings object: `config/worker.toml`, then `WORKER_*` environment variables, then
command-line options, each overriding the one before.

`[section] key` in the file is `WORKER_SECTION_KEY` in the environment; `WORKER_CONFIG` names
the file itself and `WORKER_DATABASE_URL` the database. A bad value stops the program with one
line naming the key and where it came from (exit code 2, see `errors.ConfigError`).

Paths: a data-file setting left empty means the file packaged in `worker/data/`; a relative path
written in a config file is relative to *that file's* directory (so `/etc/worker/worker.toml`
can say `topics_file = "topics.toml"`), one from the environment or the command line is relative
to the working directory. Paths are made absolute here, once, so nothing later depends on where
the program was started. The `[[alerts.webhooks]]` entries are checked in
`worker/webhook_settings.py`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from worker import data
from worker.dblocation import resolve_database
from worker.errors import ConfigError
from worker.webhook_settings import validate_alerts
from worker.webhook_settings import webhook_secret as webhook_secret  # re-exported

DEFAULT_CONFIG = Path("config/worker.toml")
# Data-file settings: key -> the packaged file used when the setting is empty.
DATA_FILES: dict[str, str] = {
    "boilerplate_file": data.BOILERPLATE,
    "topics_file": data.TOPICS,
    "claimants_file": data.CLAIMANTS,
    "feeds_file": data.FEEDS,
}
# Settings holding file-system paths, resolved against where each value was written.
PATH_KEYS: tuple[tuple[str, str], ...] = (
    *(("pipeline", key) for key in DATA_FILES), ("fetch", "fixture_paths"),
    ("alerts", "atom_path"),
)


@dataclass(kw_only=True)
class DatabaseSettings:
    # Empty: worker.db beside a config file given with --config/WORKER_CONFIG, otherwise in
    # the user's data directory (see `database_origin`).
    url: str = ""
    echo: bool = False


@dataclass(kw_only=True)
class FetchSettings:
    timeout: float = 20.0
    user_agent: str = "dprk-ru-news-worker/0.1 (+https://github.com/dprk-ru-news/worker)"
    max_feed_bytes: int = 5_000_000
    max_article_bytes: int = 10_000_000
    max_redirects: int = 5
    max_connections: int = 16
    per_host_connections: int = 2
    host_delay: float = 1.0
    host_throttle: float = 60.0
    allow_private_networks: bool = False
    fixture_paths: list[str] = field(default_factory=lambda: ["seeds"])


@dataclass(kw_only=True)
class ScheduleSettings:
    default_interval: int = 900
    min_interval: int = 300
    max_interval: int = 21_600
    jitter: float = 0.1
    backoff_base: int = 60
    backoff_cap: int = 86_400
    full_fetch_every: int = 24
    revisions: list[list[int]] = field(
        default_factory=lambda: [[900, 10_800], [3_600, 86_400], [10_800, 604_800],
                                 [86_400, 2_592_000]]
    )


@dataclass(kw_only=True)
class PipelineSettings:
    processes: int = 0
    queue_size: int = 64
    max_text_bytes: int = 1_000_000
    # Empty: the file packaged in worker/data/ (see DATA_FILES).
    boilerplate_file: str = ""
    topics_file: str = ""
    claimants_file: str = ""
    feeds_file: str = ""
    prefilter: bool = True


@dataclass(kw_only=True)
class DedupeSettings:
    # containment of word 3-shingles: a wire copy re-edited in every sentence keeps >= 0.55,
    # two reports sharing their opening sentences <= 0.42 (benchmarks/bench_dedupe.py)
    threshold: float = 0.5
    # and the Jaccard similarity of the two (a long text quoting a short one's opening: <= 0.17)
    min_jaccard: float = 0.25
    num_perm: int = 128
    bands: int = 64
    shingle: int = 3


@dataclass(kw_only=True)
class DaemonSettings:
    worker_id: str = ""
    batch_size: int = 20
    lease_seconds: int = 300
    tick_seconds: float = 5.0
    shutdown_grace: float = 20.0
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9108
    fetch_events_kept: int = 20


@dataclass(kw_only=True)
class StoreSettings:
    # keep each version's page as fetched (compressed) for `worker reanalyse`; off: a
    # re-analysis starts from the stored cleaned text
    keep_raw: bool = True


@dataclass(kw_only=True)
class AlertsSettings:
    interval: float = 30.0
    atom_path: str = ""
    atom_entries: int = 200
    atom_link: str = ""
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    timeout: float = 10.0
    backoff_base: float = 10.0
    backoff_cap: float = 600.0
    batch_size: int = 100


@dataclass(kw_only=True)
class LogSettings:
    level: str = "INFO"
    format: str = "auto"


@dataclass(kw_only=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    dedupe: DedupeSettings = field(default_factory=DedupeSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    log: LogSettings = field(default_factory=LogSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    alerts: AlertsSettings = field(default_factory=AlertsSettings)
    source: str = "defaults"
    # Where relative paths given by default values resolve: the working directory at start.
    base_dir: Path = field(default_factory=Path.cwd)
    # "section.key" -> where a value was set (the config file, an environment variable).
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def database_is_default(self) -> bool:
        """Whether the database URL is the built-in default (whose directory may be
        created), not one a user wrote."""
        return self.origins.get("database.url", "").startswith("default")

    def data_file(self, key: str) -> Path:
        """The data file of `[pipeline] key`: the configured path, or the packaged file."""
        value: str = getattr(self.pipeline, key)
        return Path(value) if value else data.packaged(DATA_FILES[key])

    def feeds_base(self) -> Path:
        """Where local paths in the feeds file resolve: a configured feeds file's directory;
        for the packaged list (whose fixture feed is `seeds/`), the working directory."""
        return Path(self.pipeline.feeds_file).parent if self.pipeline.feeds_file else (
            self.base_dir)


SECTIONS: tuple[str, ...] = (
    "database", "fetch", "schedule", "pipeline", "dedupe", "daemon", "log", "store", "alerts",
)


def _section_types() -> dict[str, type]:
    hints = get_type_hints(Settings)
    return {name: hints[name] for name in SECTIONS}


def _describe(tp: Any) -> str:
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    return "a list"


def _coerce(value: Any, tp: Any, where: str) -> Any:
    """Check a TOML value against the declared type; ints are accepted where floats are."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        tp = next(a for a in get_args(tp) if a is not type(None))
        origin = get_origin(tp)
    ok: bool
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif tp is str:
        ok = isinstance(value, str)
    elif origin is list:
        ok = isinstance(value, list)
    else:  # pragma: no cover - every field has one of the types above
        ok = True
    if not ok:
        raise ConfigError(f"{where}: expected {_describe(tp)}, got {value!r}")
    return value


def _parse_env(raw: str, tp: Any, where: str) -> Any:
    if tp is bool:
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: expected true or false, got {raw!r}")
    if tp in (int, float):
        try:
            return tp(raw)
        except ValueError:
            raise ConfigError(f"{where}: expected {_describe(tp)}, got {raw!r}") from None
    if get_origin(tp) is list:
        try:
            parsed = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = [s.strip() for s in raw.split(",") if s.strip()]
        return _coerce(parsed, tp, where)
    return raw


def load_settings(
    config_file: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings. `overrides` maps "section.key" to values from the command line."""
    env = os.environ if env is None else env
    explicit = config_file is not None or "WORKER_CONFIG" in env
    path = Path(config_file or env.get("WORKER_CONFIG") or DEFAULT_CONFIG)
    content: dict[str, Any] = {}
    if path.exists():
        try:
            content = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    elif explicit:
        raise ConfigError(f"{path}: config file not found")

    settings = Settings(source=str(path) if path.exists() else "defaults")
    file_dir = path.resolve().parent
    types_by_section = _section_types()
    for section, values in content.items():
        if section not in types_by_section:
            raise ConfigError(f"{path}: unknown section [{section}]")
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        target = getattr(settings, section)
        hints = get_type_hints(type(target))
        for key, value in values.items():
            if key not in hints:
                raise ConfigError(f"{path}: unknown key [{section}] {key}")
            setattr(target, key, _coerce(value, hints[key], f"{path}: [{section}] {key}"))
            if (section, key) in PATH_KEYS:
                _resolve(target, key, file_dir)
            settings.origins[f"{section}.{key}"] = str(path)

    for section in SECTIONS:
        target = getattr(settings, section)
        for f in dataclasses.fields(target):
            name = f"WORKER_{section.upper()}_{f.name.upper()}"
            if name in env:
                tp = get_type_hints(type(target))[f.name]
                setattr(target, f.name, _parse_env(env[name], tp, f"{name} (environment)"))
                if (section, f.name) in PATH_KEYS:
                    _resolve(target, f.name, settings.base_dir)
                settings.origins[f"{section}.{f.name}"] = f"{name} (environment)"

    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, key = dotted.split(".", 1)
        setattr(getattr(settings, section), key, value)
        if (section, key) in PATH_KEYS:
            _resolve(getattr(settings, section), key, settings.base_dir)
        settings.origins[dotted] = "command line"
    resolve_database(settings, path if explicit else None, file_dir)
    _validate(settings, path)
    validate_alerts(settings.alerts, settings.origins.get("alerts.webhooks", str(path)),
                    path, env)
    return settings


def _absolute(value: str, base: Path) -> str:
    if not value:
        return value  # empty: the packaged data file
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else base / p)


def _resolve(target: object, key: str, base: Path) -> None:
    """Make the path setting `key` of `target` absolute against `base`."""
    value = getattr(target, key)
    if isinstance(value, list):
        setattr(target, key, [_absolute(str(v), base) for v in value])
    else:
        setattr(target, key, _absolute(str(value), base))


def _validate(s: Settings, path: Path) -> None:
    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"{path}: {key}: {why}")

    if s.fetch.timeout <= 0:
        raise bad("[fetch] timeout", "must be > 0")
    if s.schedule.min_interval > s.schedule.max_interval:
        raise bad("[schedule] min_interval", "must not exceed max_interval")
    if not 0 <= s.schedule.jitter < 1:
        raise bad("[schedule] jitter", "must be in [0, 1)")
    if not 0 < s.dedupe.threshold <= 1:
        raise bad("[dedupe] threshold", "must be in (0, 1]")
    if not 0 <= s.dedupe.min_jaccard <= 1:
        raise bad("[dedupe] min_jaccard", "must be in [0, 1]")
    if s.dedupe.num_perm % s.dedupe.bands:
        raise bad("[dedupe] bands", "must divide num_perm")
    if s.log.format not in ("auto", "json", "text"):
        raise bad("[log] format", "must be auto, json or text")
    for pair in s.schedule.revisions:
        if len(pair) != 2 or not all(isinstance(v, int) and v > 0 for v in pair):
            raise bad("[schedule] revisions", "each entry must be [every_seconds, until_age]")
    if not s.database.url.strip():
        raise bad("[database] url", "must not be empty")
