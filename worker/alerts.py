"""After each daemon cycle and each replay: bring the derived tables up to date and publish
the new changes (`publish`). Step one, the announcements (worker.announce)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from worker.config import Settings
from worker.store import announcements

log = logging.getLogger(__name__)


def after_ingest(factory: sessionmaker[Session], settings: Settings) -> dict[str, int]:
    """What follows new claims: the announcements of the claimants whose claims changed are
    rebuilt (one transaction). Never raises for a failure of its own: the claims are stored
    already and the next call catches up."""
    try:
        with factory() as session, session.begin():
            rebuilt = announcements.refresh(session)
    except Exception:  # noqa: BLE001 - derived data; the next cycle rebuilds it
        log.exception("could not rebuild the announcements; the next cycle tries again")
        return {"announcements_rebuilt": 0}
    return {"announcements_rebuilt": len(rebuilt)}
