"""Where the database is: the default SQLite file (the user's data directory, or beside a
config file given explicitly) and SQLite paths made absolute where they were written. Used by
worker.config while it builds the settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.config import Settings

APP_NAME = "dprk-ru-news-worker"  # the user data directory's name (platformdirs)


def default_database_file() -> Path:
    """The SQLite file used when no database is configured: in the user's data directory
    (~/.local/share/dprk-ru-news-worker/worker.db on Linux, $XDG_DATA_HOME respected)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME) / "worker.db"


def sqlite_path(url: str) -> str | None:
    """The file path of a SQLite URL as written (None for another engine, in memory, or a
    `file:` URI, which is used as written)."""
    scheme, sep, rest = url.partition(":///")
    if not sep or not scheme.startswith("sqlite"):
        return None
    path = rest.split("?", 1)[0]
    return None if path in ("", ":memory:") or path.startswith("file:") else path


def resolve_database(settings: Settings, config: Path | None, file_dir: Path) -> None:
    """Fill in the default database and make a relative SQLite path absolute: relative to the
    config file's directory when written there, to the working directory otherwise."""
    db = settings.database
    origin = settings.origins.get("database.url")
    if not db.url.strip() and origin is None:
        if config is not None:
            db.url = f"sqlite:///{file_dir / 'worker.db'}"
            settings.origins["database.url"] = f"default: beside {config}"
        else:
            db.url = f"sqlite:///{default_database_file()}"
            settings.origins["database.url"] = "default: the user's data directory"
        return
    path = sqlite_path(db.url)
    if path is None or path.startswith("/") or path.startswith("~"):
        if path is not None and path.startswith("~"):
            db.url = db.url.replace(path, str(Path(path).expanduser()), 1)
        return
    base = file_dir if origin is not None and not origin.endswith(
        ("(environment)", "command line")) else settings.base_dir
    db.url = db.url.replace(path, str(base / path), 1)
