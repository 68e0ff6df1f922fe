"""Every configured data file is loaded at start; a broken one is one line naming the setting
and the file (exit code 2), not a poll whose every article fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.config import DATA_FILES, load_settings
from worker.data import packaged
from worker.datafiles import check_data_files
from worker.errors import ConfigError


def _config(tmp_path: Path, body: str) -> Path:
    cfg = tmp_path / "etc" / "worker.toml"
    cfg.parent.mkdir(exist_ok=True)
    cfg.write_text(body, encoding="utf-8")
    return cfg


def test_the_packaged_files_pass() -> None:
    check_data_files(load_settings(env={}))


@pytest.mark.parametrize("key", sorted(DATA_FILES))
def test_a_missing_file_names_the_key_the_file_and_the_config(tmp_path: Path, key: str) -> None:
    cfg = _config(tmp_path, f"[pipeline]\n{key} = 'gone.toml'\n")
    with pytest.raises(ConfigError) as info:
        check_data_files(load_settings(cfg, env={}))
    message = str(info.value)
    assert f"[pipeline] {key}" in message
    assert str(tmp_path / "etc" / "gone.toml") in message
    assert "file not found" in message and str(cfg) in message
    assert "\n" not in message and info.value.exit_code == 2


@pytest.mark.parametrize(("key", "body", "why"), [
    ("topics_file", "threshold = [", "not valid TOML"),
    ("topics_file", "[groups.x]\nweight = 1\n", "missing key 'terms'"),
    ("topics_file", "[groups.x]\nterms = ['(unclosed']\n", "error"),
    ("boilerplate_file", "[rules.en]\nline = ['[']\n", "en"),
    ("claimants_file", "[claimants.X]\naliases = 5\n", "TypeError"),
    ("feeds_file", "[[feed]]\nname = 'no url'\n", "needs a url"),
])
def test_a_malformed_file_is_one_line_with_the_reason(tmp_path: Path, key: str, body: str,
                                                      why: str) -> None:
    data = tmp_path / "bad.toml"
    data.write_bytes(body.encode())
    cfg = _config(tmp_path, f"[pipeline]\n{key} = '{data}'\n")
    with pytest.raises(ConfigError) as info:
        check_data_files(load_settings(cfg, env={}))
    message = str(info.value)
    assert message.startswith(f"[pipeline] {key}: {data}: ")
    assert why in message and "\n" not in message


def test_a_copy_of_the_packaged_files_beside_the_config_is_used(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    for name in DATA_FILES.values():
        (tmp_path / "etc" / name).write_bytes(packaged(name).read_bytes())
    body = "[pipeline]\n" + "".join(f"{k} = '{n}'\n" for k, n in DATA_FILES.items())
    s = load_settings(_config(tmp_path, body), env={})
    check_data_files(s)
    assert {s.data_file(k) for k in DATA_FILES} == {tmp_path / "etc" / n
                                                    for n in DATA_FILES.values()}
