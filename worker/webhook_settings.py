"""The `[alerts]` settings checked at start (`worker.config.load_settings`): the delivery
numbers and every `[[alerts.webhooks]]` entry, each mistake one line naming the entry; and a
webhook's signing secret, from the file or the environment variable it names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worker.errors import ConfigError

if TYPE_CHECKING:
    from worker.config import AlertsSettings

WEBHOOK_KEYS = ("name", "url", "secret", "secret_env", "subjects", "metrics", "claimants")


def webhook_secret(hook: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """A webhook's signing secret: `secret`, else the environment variable `secret_env`."""
    if hook.get("secret_env"):
        name = str(hook["secret_env"])
        if not env.get(name):
            raise ConfigError(f"[alerts] webhook {hook.get('name') or hook.get('url')}: "
                              f"environment variable {name} (secret_env) is not set")
        return env[name]
    return str(hook.get("secret") or "")


def validate_alerts(a: AlertsSettings, where: str, path: Path, env: Mapping[str, str]) -> None:
    """The `[alerts]` numbers, and each `[[alerts.webhooks]]` entry (set in `where`): an
    http(s) `url`, a Standard Webhooks secret (`secret = "whsec_..."`, or `secret_env` naming
    the environment variable holding it), and optional filters (lists of subjects, metrics,
    claimants); names unique."""
    if a.timeout <= 0 or a.interval <= 0:
        raise ConfigError(f"{path}: [alerts] timeout and interval must be > 0")
    if a.backoff_base <= 0 or a.backoff_cap < a.backoff_base:
        raise ConfigError(f"{path}: [alerts] backoff_base must be > 0 and <= backoff_cap")
    names: set[str] = set()
    for i, hook in enumerate(a.webhooks, 1):
        label = f"{where}: [alerts] webhooks entry {i}"
        if not isinstance(hook, dict):
            raise ConfigError(f"{label}: must be a table (url = ..., secret = ...)")
        unknown = sorted(set(hook) - set(WEBHOOK_KEYS))
        if unknown:
            raise ConfigError(f"{label}: unknown key {unknown[0]}")
        url = hook.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"{label}: url must be an http:// or https:// URL")
        for key in ("subjects", "metrics", "claimants"):
            value = hook.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{label}: {key} must be a list of strings")
        name = str(hook.get("name") or url)
        if name in names:
            raise ConfigError(f"{label}: two webhooks are named {name!r}")
        names.add(name)
        if "secret" not in hook and "secret_env" not in hook:
            raise ConfigError(f"{label}: needs secret or secret_env")
        try:
            from standardwebhooks import Webhook

            Webhook(webhook_secret(hook, env))
        except ConfigError:
            raise
        except Exception:  # noqa: BLE001 - the library raises several kinds
            raise ConfigError(f"{label}: the secret is not a Standard Webhooks secret "
                              "(whsec_ followed by base64)") from None
