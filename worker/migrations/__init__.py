"""Alembic migrations, shipped inside the package (``script_location = worker:migrations``), so
an installed worker migrates its database without a checkout. ``env.py`` takes the connection
from ``worker.store.db.upgrade``; each revision in ``versions/`` holds its own SQL."""
