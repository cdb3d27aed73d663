"""A real PostgreSQL streaming replica of the local test server, for the read-replica tests.

The primary is the machine's test server at 127.0.0.1:5432 (trust auth). The replica is a second
cluster made with `pg_basebackup -R` into a temporary directory, run as the postgres user on a
free loopback port, and removed afterwards. Every wait is bounded.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import Engine

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
PRIMARY_ADMIN_URL = f"postgresql+psycopg://{USER}@{HOST}:{PORT}/postgres"
HBA_LINE = "host replication all 127.0.0.1/32 trust"
# Settings a hot standby must hold at least as high as its primary, or it refuses to start.
STANDBY_MINIMUMS = ("max_connections", "max_worker_processes", "max_wal_senders",
                    "max_prepared_transactions", "max_locks_per_transaction")
WAIT_SECONDS = 60.0
START_SECONDS = 120


def wait_for(what: str, check: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
    """Poll `check` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


def _as_postgres(*argv: str | Path, timeout: float = WAIT_SECONDS) -> None:
    """Run a server binary as the postgres user (it refuses to run as root)."""
    done = subprocess.run(["runuser", "-u", USER, "--", *map(str, argv)], timeout=timeout,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr}")


def _replication_allowed(conn: Connection) -> bool:
    rules = conn.execute(text(
        "SELECT type, address, netmask, auth_method FROM pg_hba_file_rules"
        " WHERE 'replication' = ANY(database) AND error IS NULL"
    ))
    loopback = ipaddress.ip_address(HOST)
    for kind, address, netmask, method in rules:
        if not kind.startswith("host") or method != "trust" or address is None:
            continue
        try:
            net = ipaddress.ip_network(f"{address}/{netmask}" if netmask else address,
                                       strict=False)
        except ValueError:  # samehost, samenet, a host name: not what we add, look further
            continue
        if loopback in net:
            return True
    return False


def _replication_answers(bin_dir: Path) -> bool:
    probe = subprocess.run(
        [bin_dir / "psql", f"host={HOST} port={PORT} user={USER} replication=true",
         "-Atc", "IDENTIFY_SYSTEM"], capture_output=True, timeout=10)
    return probe.returncode == 0


def allow_replication(conn: Connection, bin_dir: Path) -> str | None:
    """Let 127.0.0.1 open replication connections (trust), once; None, or why it cannot.

    The machine's PostgreSQL is this project's test fixture: the line stays, so CI may add it
    up front instead. Only a server whose pg_hba.conf is a local file we can write is touched.
    """
    if not _replication_allowed(conn):
        hba = Path(conn.execute(text("SHOW hba_file")).scalar_one())
        if not os.access(hba, os.W_OK):
            return f"{hba} allows no replication from {HOST} and is not writable here"
        with hba.open("a") as f:
            f.write(f"\n# Streaming-replica tests (tests/pg_replica.py)\n{HBA_LINE}\n")
        conn.execute(text("SELECT pg_reload_conf()"))
    # A reload is asynchronous: wait until a replication connection is really admitted.
    wait_for("a replication connection to the primary", lambda: _replication_answers(bin_dir),
             timeout=15)
    return None


def server_bin(conn: Connection) -> Path | None:
    """The cluster binaries of the primary's major version, if installed here."""
    major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    bin_dir = Path(f"/usr/lib/postgresql/{major}/bin")
    needed = ("postgres", "pg_ctl", "pg_basebackup", "psql")
    return bin_dir if all((bin_dir / b).exists() for b in needed) else None


def unavailable() -> str | None:
    """Why no replica can be made on this machine (None: it can)."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "needs root and runuser to run the server binaries as postgres"
    if not any(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup")):
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    admin = create_engine(PRIMARY_ADMIN_URL, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            bin_dir = server_bin(conn)
            if bin_dir is None:
                return "the primary's major version has no cluster binaries here"
            if conn.execute(text("SHOW wal_level")).scalar_one() == "minimal":
                return "the primary runs with wal_level=minimal"
            return allow_replication(conn, bin_dir)
    except Exception as exc:  # any failure to reach the primary means "skip, and say why"
        return f"no PostgreSQL primary at {HOST}:{PORT}: {exc.__class__.__name__}"
    finally:
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Replica:
    """A running hot standby of the primary, streaming from it."""

    bin_dir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        """The standby's data directory."""
        return self.root / "data"

    def url(self, database: str) -> str:
        """A SQLAlchemy URL of `database` on the replica."""
        return f"postgresql+psycopg://{USER}@{HOST}:{self.port}/{database}"

    def pg_ctl(self, *args: str, wait: int = 30) -> None:
        """Run pg_ctl on the standby, waiting at most `wait` seconds."""
        _as_postgres(self.bin_dir / "pg_ctl", "-D", self.data, "-w", "-t", str(wait), *args,
                     timeout=wait + 10)

    def start(self) -> None:
        """Start the standby and wait until it accepts connections."""
        log = self.root / "server.log"
        try:
            # A hot standby opens only once the primary logs a snapshot with no transaction
            # holding more than 64 subtransactions; a busy shared server can take a while.
            self.pg_ctl("-l", str(log), "start", wait=START_SECONDS)
        except RuntimeError as exc:
            tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
            raise RuntimeError("\n".join([str(exc), *tail])) from None

    def stop(self) -> None:
        """Stop the standby (fast, then immediate if it hangs)."""
        try:
            self.pg_ctl("-m", "fast", "stop")
        except (RuntimeError, subprocess.SubprocessError):
            self.pg_ctl("-m", "immediate", "stop")

    def running(self) -> bool:
        """Whether the standby's postmaster is up."""
        status = subprocess.run(["runuser", "-u", USER, "--", str(self.bin_dir / "pg_ctl"),
                                 "-D", str(self.data), "status"], capture_output=True, timeout=10)
        return status.returncode == 0

    def admin(self) -> Engine:
        """An autocommit engine on the standby's `postgres` database."""
        return create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 3})

    def wait_caught_up(self, primary: Engine, timeout: float = WAIT_SECONDS) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        with primary.connect() as conn:
            lsn = conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
        engine = self.admin()
        query = text("SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn), false)")
        try:
            with engine.connect() as conn:
                wait_for(f"the replica to replay up to {lsn}",
                         lambda: bool(conn.execute(query, {"lsn": lsn}).scalar_one()), timeout)
        finally:
            engine.dispose()

    @contextmanager
    def replay_paused(self) -> Iterator[None]:
        """Hold the standby's replay still (it keeps answering with old data), then resume."""
        engine = self.admin()
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_wal_replay_pause()"))
                state = text("SELECT pg_get_wal_replay_pause_state()")
                wait_for("replay to pause",
                         lambda: conn.execute(state).scalar_one() == "paused", 30)
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_wal_replay_resume()"))
        finally:
            engine.dispose()

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """Take the standby down for the block, then bring it back."""
        self.stop()
        try:
            yield
        finally:
            self.start()


def _standby_conf(primary: Connection, port: int, socket_dir: Path) -> str:
    minimums = primary.execute(
        text("SELECT name, setting FROM pg_settings WHERE name = ANY(:names)"),
        {"names": list(STANDBY_MINIMUMS)},
    ).all()
    lines = [f"port = {port}", f"listen_addresses = '{HOST}'",
             f"unix_socket_directories = '{socket_dir}'", "hot_standby = on",
             "shared_buffers = 16MB", "fsync = off", "logging_collector = off",
             # Long reports are not cancelled by replay conflicts while the test reads.
             "max_standby_streaming_delay = 30s", "hot_standby_feedback = on",
             *(f"{name} = {setting}" for name, setting in minimums)]
    return "\n".join(lines) + "\n"


@contextmanager
def streaming_replica() -> Iterator[Replica]:
    """A hot standby of the primary on a free port; stopped and deleted on the way out."""
    admin = create_engine(PRIMARY_ADMIN_URL, isolation_level="AUTOCOMMIT")
    root = Path(tempfile.mkdtemp(prefix="motcua-replica-"))
    try:
        with admin.connect() as conn:
            bin_dir = server_bin(conn)
            assert bin_dir is not None, "call unavailable() first"
            replica = Replica(bin_dir, root, _free_port())
            shutil.chown(root, USER, USER)
            root.chmod(0o700)
            # -R writes primary_conninfo and standby.signal; -c fast skips the spread checkpoint.
            _as_postgres(bin_dir / "pg_basebackup", "-h", HOST, "-p", str(PORT), "-U", USER,
                         "-D", replica.data, "-R", "-X", "stream", "-c", "fast", "--no-sync",
                         timeout=180)
            conf = _standby_conf(conn, replica.port, root)
        # Debian keeps postgresql.conf and pg_hba.conf in /etc, so the copy has none of its own.
        for name, body in (("postgresql.conf", conf), ("pg_ident.conf", ""),
                           ("pg_hba.conf", f"local all all trust\nhost all all {HOST}/32 trust\n")):
            path = replica.data / name
            path.write_text(body)
            shutil.chown(path, USER, USER)
        try:
            replica.start()
            yield replica
        finally:
            if replica.running():
                replica.stop()
    finally:
        admin.dispose()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def primary_database() -> Iterator[str]:
    """A fresh database on the primary (its URL), dropped with force afterwards."""
    name = f"motcua_replica_{os.urandom(4).hex()}"
    admin = create_engine(PRIMARY_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield f"postgresql+psycopg://{USER}@{HOST}:{PORT}/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
