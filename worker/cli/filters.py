"""The series filters (`--subject`, `--metric`, `--claimant`) defined once: matched without
regard to case, and an unknown value is a usage error (exit 2) that lists the known ones."""

from __future__ import annotations

import argparse
import tomllib
from typing import Any

from worker.config import Settings
from worker.errors import ConfigError, UsageError

SUBJECT_HELP = "ISO code of the side counted, e.g. KP (any case)"
# worker.figures.model.METRICS, spelled here so that parsing a command does not load the
# figure extractor (a unit test keeps the two equal).
METRICS = ("killed", "wounded", "casualties", "captured", "missing", "deployed")


def series_filters(parser: argparse.ArgumentParser, *, metric: bool = True,
                   claimant: bool = True, what: str = "figures") -> None:
    parser.add_argument("--subject", metavar="CODE", help=f"only {what} counting this side: "
                        f"{SUBJECT_HELP}")
    if metric:
        parser.add_argument("--metric", metavar="NAME",
                            help=f"{', '.join(METRICS[:-1])} or {METRICS[-1]} (any case)")
    if claimant:
        parser.add_argument("--claimant", metavar="CODE",
                            help="who claims it, e.g. KR-NIS (any case)")


def claimant_codes(settings: Settings) -> list[str]:
    """The claimant codes of the configured claimants file."""
    path = settings.data_file("claimants_file")
    try:
        with path.open("rb") as fh:
            return sorted(tomllib.load(fh).get("claimants", {}))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"[pipeline] claimants_file: {path}: {exc}") from None


def _match(option: str, value: str, known: list[str]) -> str:
    found = {k.upper(): k for k in known}.get(value.strip().upper())
    if found is None:
        listed = ", ".join(known) if known else "none yet"
        raise UsageError(f"{option}: unknown value {value!r}; known: {listed}")
    return found


def resolve_series(args: argparse.Namespace, settings: Settings, session: Any) -> None:
    """Replace `args.subject`, `args.metric` and `args.claimant` (those given) by the code
    they name: a subject the stored claims use (any two letters while none is stored), a
    metric, a claimant of the claimants file or of the stored claims."""
    subject = getattr(args, "subject", None)
    metric = getattr(args, "metric", None)
    claimant = getattr(args, "claimant", None)
    if subject is None and metric is None and claimant is None:
        return
    from worker.store.codes import stored_claimants, stored_subjects

    if metric is not None:
        args.metric = _match("--metric", metric, list(METRICS))
    if claimant is not None:
        known = sorted(set(claimant_codes(settings)) | set(stored_claimants(session)))
        args.claimant = _match("--claimant", claimant, known)
    if subject is not None:
        code = subject.strip().upper()
        if subjects := stored_subjects(session):
            args.subject = _match("--subject", subject, subjects)
        elif len(code) == 2 and code.isalpha():
            args.subject = code
        else:
            raise UsageError(f"--subject: not a two-letter country code: {subject!r}")
