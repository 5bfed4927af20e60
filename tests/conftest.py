"""Test isolation: no test reads the registry files of the user running the tests; and a
PostgreSQL server for the PostgreSQL store tests, started and removed here when needed."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path
from typing import Any

import pytest

# A server of one's own for the tests (it needs the right to create schemas).
POSTGRES_URL_VARIABLE = "SAYSO_TEST_POSTGRES_URL"
NO_SERVER = (
    "no PostgreSQL server binaries (initdb, pg_ctl) found: install them "
    "(`apt-get install postgresql`) or set SAYSO_TEST_POSTGRES_URL"
)


def pytest_configure() -> None:
    """Point the user-level registry folder at an empty place before anything loads it."""
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="sayso-test-config-")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server: SAYSO_TEST_POSTGRES_URL, else a throw-away cluster
    made with initdb in a temporary folder and started on a free local port (as the
    ``postgres`` user, or ``nobody``, when the tests run as root, since the server refuses
    to run as root), stopped and removed after the tests. Skips only when there are no
    server binaries; a server that is there and fails to start fails the tests."""
    given = os.environ.get(POSTGRES_URL_VARIABLE)
    if given:
        yield given
        return
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip(NO_SERVER)
    with _throwaway_cluster(bindir) as url:
        yield url


def postgres_bindir() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    folders = glob("/usr/lib/postgresql/*/bin") + glob("/usr/local/pgsql/bin")
    for folder in sorted(folders, key=_version_key, reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(number) for number in re.findall(r"\d+", folder))


@contextlib.contextmanager
def _throwaway_cluster(bindir: Path) -> Iterator[str]:
    as_user = _server_user()
    # Under /tmp when the server runs as another user, who must reach its folder.
    root = Path(tempfile.mkdtemp(prefix="sayso-postgres-", dir="/tmp" if as_user else None))
    if as_user:
        os.chown(root, as_user["user"], as_user["group"])
    data, log, port = root / "data", root / "server.log", _free_port()
    settings = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    initdb = [bindir / "initdb", "-D", data, "-U", "sayso", "--auth=trust", "--no-sync"]
    pg_ctl = [bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60"]
    try:
        _run([*initdb, "--encoding=UTF8", "--locale=C"], as_user, log)
        _run([*pg_ctl, "-o", settings, "start"], as_user, log)
        yield f"postgresql://sayso@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            stop = [str(part) for part in [*pg_ctl, "-m", "immediate", "stop"]]
            subprocess.run(stop, capture_output=True, timeout=60, check=False, **(as_user or {}))
        shutil.rmtree(root, ignore_errors=True)


def _server_user() -> dict[str, Any] | None:
    """Run the server as whom: this user, or a user that is not root when this is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    pytest.fail("running as root, with no postgres or nobody user to run PostgreSQL as")


def _run(command: list[Any], as_user: dict[str, Any] | None, log: Path) -> None:
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **(as_user or {}),
    )
    if done.returncode != 0:
        server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"{command[0]} failed: {done.stderr or done.stdout}\n{server_log}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
