"""The `worker` command line, one module per command group:

    app        the parser (the modules below, registered explicitly) and `main`
    command    `add_command`, the global options, argument types, `open_store`
    output     consoles, JSON/CSV, the shared `--json`/`--csv`/`--limit`/`--wide` options
    tables     tables that fit the terminal (fixed columns, URLs whole, text cut or --wide)
    filters    `--subject`/`--metric`/`--claimant` defined once, matched in any case
    info       info: the settings file, the database and its schema
    db         db upgrade
    replay     replay
    figures    figures, changes
    articles   articles, stories
    extract    extract
    export     export
    daemon     run, recheck
    feeds      feeds add/remove/list/status/import/export
    report     report
    reanalyse, claims, datasette, announcements, alerts   (see each module)

A command module imports from `command`, `output`, `tables` and `filters` only (never from
another command module) and does its heavy imports inside its handlers.
"""

from worker.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
