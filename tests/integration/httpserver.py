"""Moved to `tests.helpers.server`; this name stays for branches written before the move (a
shim: new code imports tests.helpers.server)."""

from tests.helpers.server import LocalServer, Reply, Seen, gzip_bomb, rss

__all__ = ["LocalServer", "Reply", "Seen", "gzip_bomb", "rss"]
