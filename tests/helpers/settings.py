"""Settings for a worker that polls the local server (`tests.helpers.server`): private
addresses allowed (the server is on 127.0.0.1), no politeness delay between requests to its one
host, no schedule jitter, no default feed list. Keyword arguments override or add
`WORKER_*` variables."""

from __future__ import annotations

from pathlib import Path

from worker.config import Settings, load_settings


def local_env(db_url: str, feeds_file: Path | str = "/nonexistent", **env: str) -> dict[str, str]:
    """The environment of such a worker (for a subprocess, or `load_settings(env=...)`)."""
    return {"WORKER_DATABASE_URL": db_url, "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
            "WORKER_FETCH_TIMEOUT": "5", "WORKER_FETCH_HOST_DELAY": "0",
            "WORKER_FETCH_PER_HOST_CONNECTIONS": "4", "WORKER_SCHEDULE_JITTER": "0",
            "WORKER_PIPELINE_FEEDS_FILE": str(feeds_file), **env}


def local_settings(db_url: str, feeds_file: Path | str = "/nonexistent", **env: str
                   ) -> Settings:
    return load_settings(env=local_env(db_url, feeds_file, **env))


def db_settings(db_url: str) -> Settings:
    """The defaults, on that database (what the `settings` fixture gives)."""
    return load_settings(env={"WORKER_DATABASE_URL": db_url})
