"""News-ingestion worker for reporting on North Korean troops in Russia's war against Ukraine."""

__version__ = "0.1.0"
