"""`worker extract`: one document through the pure core, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from worker.config import Settings
from worker.errors import InputError
from worker.pipeline import CoreConfig, Document, analyse


def analyse_one(settings: Settings, *, text: str | None, html: str | None,
                language: str | None, item_id: Any = None) -> dict[str, Any]:
    """The `--batch` output object: id, language, relevant, text, figures (+ relevance)."""
    if text is None and html is None:
        raise InputError("an input needs \"text\" or \"html\"")
    if (text is not None and not isinstance(text, str)) or (
            html is not None and not isinstance(html, str)):
        raise InputError("\"text\" and \"html\" must be strings")
    doc = Document(url="stdin:", locator=str(item_id), origin="extract", text=text, html=html,
                   language=language, fetched_at=datetime.now(UTC))
    a = analyse(doc, CoreConfig.from_settings(settings), claims_always=True)
    return {
        "id": item_id,
        "language": a.language,
        "relevant": a.relevant,
        "relevance": a.relevance,
        "published": a.published.date().isoformat() if a.published else None,
        "text": a.text,
        "figures": [c.to_dict() for c in a.claims],
    }
