"""One app server and one seeded database for every browser scenario of a pytest run, whether
the run is serial or spread over pytest-xdist workers.

Why one server: the harness builds `.web` in the project root (about a minute on 2 cores) and
bakes the backend's port into the build, so per-worker servers would mean concurrent builds in
the same folder. Instead:

- the controller (the only process of a serial run, xdist's controller otherwise) makes a run
  folder in `pytest_configure` and names it in `SOCIALSHOP_E2E_RUN_DIR`, which the workers
  inherit;
- the first process that needs the app takes a file lock and starts `python -m
  tests.e2e.shared_server RUN_DIR`: it migrates and seeds a throw-away database, builds and
  serves the app with the harness, and writes `server.json` (base URL, database URL); every
  other worker waits for that file;
- the server writes its ERROR log records to `backend-errors.log`, which every scenario reads
  (`fail_on_errors` in conftest.py);
- at the controller's `pytest_sessionfinish`, after the last scenario of every worker, the
  server is told to stop: it stops the app, checks the books (`python -m socialshop.ledger
  check`) on the database all scenarios used, writes `ledger.json` and drops the database;
  the controller reports that check and fails the run if the books do not balance.

The server runs in a process of its own (not inside a pytest worker), so it does not share a
GIL with a test's browser driver, and it lives until the controller stops it (or the
controller disappears). Only the standard library is imported at the top: the root conftest
imports this module for every run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUN_DIR_ENV = "SOCIALSHOP_E2E_RUN_DIR"
CONTROLLER_PID_ENV = "SOCIALSHOP_E2E_CONTROLLER_PID"
START_TIMEOUT_S = 900  # a cold build on a loaded 2-core machine
STOP_TIMEOUT_S = 180


def run_dir() -> Path:
    return Path(os.environ[RUN_DIR_ENV])


# --- the controller's side -------------------------------------------------------------


def controller_configure(config) -> None:
    """Called by the root conftest in the controller only (never in an xdist worker)."""
    path = tempfile.mkdtemp(prefix="socialshop-e2e-run-")
    os.environ[RUN_DIR_ENV] = path
    os.environ[CONTROLLER_PID_ENV] = str(os.getpid())
    config._socialshop_e2e_run_dir = path


def controller_finish(session) -> None:
    """Stop the shared server if a scenario started it, report the ledger check, clean up."""
    path = getattr(session.config, "_socialshop_e2e_run_dir", None)
    if not path:
        return
    folder = Path(path)
    try:
        if not (folder / "server.pid").exists():
            return
        (folder / "stop").touch()
        ledger = folder / "ledger.json"
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while not (folder / "stopped").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        result = json.loads(ledger.read_text()) if ledger.exists() else None
        if result is None:
            ok, text = False, "the app server stopped without checking the books:\n" + _tail(folder / "server.log")
        else:
            ok, text = result["ok"], result["output"]
        if reporter is not None:
            reporter.write("\n")
            reporter.write_sep("=" if ok else "!", "ledger check after all browser scenarios: " + ("OK" if ok else "FAILED"),
                               green=ok, red=not ok)
            reporter.write_line(text.strip())
        if not ok and session.exitstatus == 0:
            session.exitstatus = 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- a worker's side (or the single process of a serial run) ----------------------------


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_started() -> dict:
    """The shared server's {"base_url", "database_url"}, starting it if nobody has yet."""
    folder = run_dir()
    info = folder / "server.json"
    with _locked(folder / "lock"):
        if not (folder / "server.pid").exists():
            with open(folder / "server.log", "ab") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "tests.e2e.shared_server", str(folder)],
                    cwd=PROJECT_ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # outlives the worker that started it; the controller stops it
                )
            (folder / "server.pid").write_text(str(process.pid))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if info.exists():
            return json.loads(info.read_text())
        if (folder / "stopped").exists():
            break
        time.sleep(0.25)
    raise RuntimeError("the shared app server did not start:\n" + _tail(folder / "server.log"))


def backend_errors_offset() -> int:
    try:
        return (run_dir() / "backend-errors.log").stat().st_size
    except (KeyError, FileNotFoundError):
        return 0


def backend_errors_since(offset: int) -> str:
    try:
        with open(run_dir() / "backend-errors.log", "rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace").strip()
    except (KeyError, FileNotFoundError):
        return ""


# --- the server process --------------------------------------------------------------------


@contextlib.contextmanager
def _database(workdir: Path) -> Iterator[str]:
    """A migrated, seeded database: SQLite by default, a throw-away PostgreSQL one with
    SOCIALSHOP_E2E_DATABASE=postgresql (the scale-out mode)."""
    with contextlib.ExitStack() as stack:
        if os.environ.get("SOCIALSHOP_E2E_DATABASE") == "postgresql":
            from tests.conftest import throwaway_postgres_database

            url = stack.enter_context(throwaway_postgres_database())
        else:
            url = f"sqlite:///{workdir / 'e2e.db'}"
        env = {**os.environ, "REFLEX_DB_URL": url, "SOCIALSHOP_DATA_DIR": str(workdir)}
        subprocess.run([str(Path(sys.executable).parent / "reflex"), "db", "migrate"], cwd=PROJECT_ROOT,
                       env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "socialshop.seed"], cwd=PROJECT_ROOT, env=env, check=True)
        yield url


def _check_ledger(database_url: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "socialshop.ledger", "check", "--db-url", database_url],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    ok = result.returncode == 0 and "ledger OK" in result.stdout
    return {"ok": ok, "output": result.stdout + result.stderr}


def _serve(folder: Path) -> None:
    import logging

    from tests.e2e.harness import harness_class

    errors = logging.FileHandler(folder / "backend-errors.log")
    errors.setLevel(logging.ERROR)
    errors.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(errors)

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    controller = int(os.environ.get(CONTROLLER_PID_ENV, "0"))

    def controller_alive() -> bool:
        if not controller:
            return True
        try:
            os.kill(controller, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True

    workdir = Path(tempfile.mkdtemp(prefix="socialshop-e2e-"))
    ledger: dict | None = None
    try:
        with _database(workdir) as database_url:
            os.environ["REFLEX_DB_URL"] = database_url
            # Reflex keeps each tab's state in a folder of pickles and purges the ones older
            # than an hour whenever a state manager starts. In the project's .states, every
            # run's files piled up, and any process starting a manager there (a unit test's
            # app) purged them under this server's own purge: a FileNotFoundError in its log.
            # The run's own folder starts empty and goes with the run.
            os.environ["REFLEX_STATES_WORKDIR"] = str(workdir / "states")
            os.environ.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
            os.environ["REFLEX_TELEMETRY_ENABLED"] = "false"
            from socialshop.db import get_engine

            get_engine.cache_clear()
            with harness_class().create(root=PROJECT_ROOT, app_name="socialshop") as harness:
                assert harness.frontend_url is not None
                info = {"base_url": harness.frontend_url.rstrip("/"), "database_url": database_url}
                tmp = folder / "server.json.tmp"
                tmp.write_text(json.dumps(info))
                tmp.rename(folder / "server.json")
                print(f"serving {info['base_url']} on {database_url}", flush=True)
                while not stop["now"] and not (folder / "stop").exists() and controller_alive():
                    time.sleep(0.2)
            # The app has stopped: every scenario's money has reached the database.
            ledger = _check_ledger(database_url)
    finally:
        if ledger is None:
            ledger = {"ok": False, "output": "the app server failed before it could check the books (server.log):\n"
                      + _tail(folder / "server.log")}
        (folder / "ledger.json").write_text(json.dumps(ledger))
        shutil.rmtree(workdir, ignore_errors=True)
        (folder / "stopped").touch()


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))
