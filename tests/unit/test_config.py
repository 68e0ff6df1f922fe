from __future__ import annotations

from pathlib import Path

import pytest

import worker.data
from worker.config import DATA_FILES, load_settings
from worker.data import packaged
from worker.dblocation import default_database_file
from worker.errors import ConfigError


def write(tmp_path: Path, body: str) -> Path:
    cfg = tmp_path / "config" / "worker.toml"
    cfg.parent.mkdir(exist_ok=True)
    cfg.write_text(body, encoding="utf-8")
    return cfg


def test_defaults_when_the_shipped_file_is_all_comments() -> None:
    s = load_settings(env={})
    assert s.database.url == f"sqlite:///{default_database_file()}"
    assert s.database_is_default
    assert s.fetch.timeout == 20.0
    assert s.fetch.allow_private_networks is False


def test_file_then_environment_then_command_line(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[fetch]\ntimeout = 7\nuser_agent = 'x'\n[database]\nurl = 'sqlite://'\n")
    s = load_settings(cfg, env={})
    assert (s.fetch.timeout, s.fetch.user_agent) == (7.0, "x")
    s = load_settings(cfg, env={"WORKER_FETCH_TIMEOUT": "10", "WORKER_DATABASE_URL": "sqlite:///a"})
    assert s.fetch.timeout == 10.0 and s.database.url == f"sqlite:///{Path.cwd() / 'a'}"
    s = load_settings(cfg, env={"WORKER_DATABASE_URL": "sqlite:///a"},
                      overrides={"database.url": "sqlite:///b"})
    assert s.database.url == f"sqlite:///{Path.cwd() / 'b'}"


def test_worker_config_names_the_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[schedule]\njitter = 0.2\n")
    assert load_settings(env={"WORKER_CONFIG": str(cfg)}).schedule.jitter == 0.2


def test_environment_booleans_and_lists() -> None:
    s = load_settings(env={"WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
                           "WORKER_FETCH_FIXTURE_PATHS": '["a", "b"]'})
    assert s.fetch.allow_private_networks is True
    assert s.fetch.fixture_paths == [str(Path.cwd() / "a"), str(Path.cwd() / "b")]


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


def test_data_files_default_to_the_packaged_ones() -> None:
    s = load_settings(env={})
    for key, name in DATA_FILES.items():
        assert s.data_file(key) == packaged(name)
        assert s.data_file(key).is_file()
        assert s.data_file(key).parent == Path(worker.data.__file__).parent


def test_relative_paths_in_a_config_file_are_relative_to_that_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[pipeline]\ntopics_file = 'rules/topics.toml'\n"
                          "[fetch]\nfixture_paths = ['fixtures', '/abs']\n")
    s = load_settings(cfg, env={})
    assert s.data_file("topics_file") == tmp_path / "config" / "rules" / "topics.toml"
    assert s.data_file("boilerplate_file") == packaged("boilerplate.toml")
    assert s.fetch.fixture_paths == [str(tmp_path / "config" / "fixtures"), "/abs"]
    assert s.origins["pipeline.topics_file"] == str(cfg)


def test_relative_paths_from_the_environment_are_relative_to_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={"WORKER_PIPELINE_FEEDS_FILE": "my/feeds.toml"})
    assert s.data_file("feeds_file") == tmp_path / "my" / "feeds.toml"
    assert s.feeds_base() == tmp_path / "my"
    assert s.origins["pipeline.feeds_file"] == "WORKER_PIPELINE_FEEDS_FILE (environment)"


def test_the_default_database_is_in_the_user_data_directory(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    s = load_settings(env={})
    assert s.database.url == f"sqlite:///{tmp_path / 'xdg' / 'dprk-ru-news-worker' / 'worker.db'}"


def test_a_config_file_given_puts_the_default_database_beside_it(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[log]\nlevel = 'INFO'\n")
    s = load_settings(cfg, env={})
    assert s.database.url == f"sqlite:///{cfg.parent / 'worker.db'}"
    assert s.database_is_default


def test_a_relative_sqlite_path_is_relative_to_where_it_was_written(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[database]\nurl = 'sqlite:///db/w.db?mode=rwc'\n")
    s = load_settings(cfg, env={})
    assert s.database.url == f"sqlite:///{cfg.parent / 'db' / 'w.db'}?mode=rwc"
    assert not s.database_is_default
    s = load_settings(cfg, env={"WORKER_DATABASE_URL": "sqlite:///here.db"})
    assert s.database.url == f"sqlite:///{Path.cwd() / 'here.db'}"
    s = load_settings(cfg, env={}, overrides={"database.url": "sqlite:////abs/x.db"})
    assert s.database.url == "sqlite:////abs/x.db"
    assert load_settings(cfg, env={"WORKER_DATABASE_URL": "sqlite://"}).database.url == (
        "sqlite://")
