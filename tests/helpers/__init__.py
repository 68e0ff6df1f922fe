"""What tests and benchmarks share: a library, not tests (no test functions, no fixtures).

- `paths`: the checkout's root, the seeds, the corpus (`WORKER_CORPUS`, else `../shared/corpus`
  beside the checkout) and PostgreSQL's admin URL (`WORKER_TEST_PG_URL`);
- `server`: the local HTTP server on 127.0.0.1 that misbehaves on demand, and feed builders;
- `settings`: settings for a worker that polls that server;
- `cli`: the real CLI in a subprocess, its environment, waiting for a daemon to handle signals;
- `world`: a local server, a migrated database and daemon cycles against them (the daemon's
  integration tests; the `world` fixture in tests/conftest.py builds one);
- `reports`: three stored reports of the North Korean toll with claims and lineage (the `ids`
  fixture, for the review and export tests);
- `figures_eval`, `dedupe_eval`: the scoring of the figure sets and of planted duplicates, which
  the quality tests assert on and the benchmarks print.

Imports go one way: `tests.helpers` imports `worker` and itself only; tests import `worker` and
`tests.helpers` (fixtures come from `tests/conftest.py` by pytest, not by import); benchmarks
import `worker`, `benchmarks.common` and `tests.helpers`. No test imports a benchmark, and no
benchmark imports a test module, and no test imports another test module
(`tests/unit/test_layout_imports.py` checks).
"""
