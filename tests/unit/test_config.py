from __future__ import annotations

from pathlib import Path

import pytest

from worker.config import load_settings
from worker.errors import ConfigError


def write(tmp_path: Path, body: str) -> Path:
    cfg = tmp_path / "config" / "worker.toml"
    cfg.parent.mkdir(exist_ok=True)
    cfg.write_text(body, encoding="utf-8")
    return cfg


def test_defaults_when_the_shipped_file_is_all_comments() -> None:
    s = load_settings(env={})
    assert s.database.url == "sqlite:///data/worker.db"
    assert s.fetch.timeout == 20.0
    assert s.fetch.allow_private_networks is False


def test_file_then_environment_then_command_line(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[fetch]\ntimeout = 7\nuser_agent = 'x'\n[database]\nurl = 'sqlite://'\n")
    s = load_settings(cfg, env={})
    assert (s.fetch.timeout, s.fetch.user_agent) == (7.0, "x")
    s = load_settings(cfg, env={"WORKER_FETCH_TIMEOUT": "10", "WORKER_DATABASE_URL": "sqlite:///a"})
    assert s.fetch.timeout == 10.0 and s.database.url == "sqlite:///a"
    s = load_settings(cfg, env={"WORKER_DATABASE_URL": "sqlite:///a"},
                      overrides={"database.url": "sqlite:///b"})
    assert s.database.url == "sqlite:///b"


def test_worker_config_names_the_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[schedule]\njitter = 0.2\n")
    assert load_settings(env={"WORKER_CONFIG": str(cfg)}).schedule.jitter == 0.2


def test_environment_booleans_and_lists() -> None:
    s = load_settings(env={"WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
                           "WORKER_FETCH_FIXTURE_PATHS": '["a", "b"]'})
    assert s.fetch.allow_private_networks is True
    assert s.fetch.fixture_paths == ["a", "b"]


@pytest.mark.parametrize(("body", "needle"), [
    ("[fetch]\ntimeuot = 3\n", "unknown key [fetch] timeuot"),
    ("[fetch]\ntimeout = 'soon'\n", "[fetch] timeout: expected a number"),
    ("[nope]\nx = 1\n", "unknown section [nope]"),
    ("[fetch\n", "not valid TOML"),
    ("[schedule]\njitter = 2.0\n", "[schedule] jitter"),
    ("[fetch]\nallow_private_networks = 'yes'\n", "expected true or false"),
])
def test_bad_values_name_the_key_and_the_file(tmp_path: Path, body: str, needle: str) -> None:
    cfg = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    assert needle in str(info.value)
    assert str(cfg) in str(info.value)
    assert info.value.exit_code == 2


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="WORKER_FETCH_TIMEOUT"):
        load_settings(env={"WORKER_FETCH_TIMEOUT": "ten"})


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_data_paths_are_relative_to_the_project(tmp_path: Path) -> None:
    cfg = write(tmp_path, "")
    s = load_settings(cfg, env={})
    assert s.path("config/topics.toml") == tmp_path / "config" / "topics.toml"
