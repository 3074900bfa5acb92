"""The product started as `make run` starts it, for the end-to-end tests: the ASGI server
(uvicorn) on a free port, a Celery worker with two processes and beat (`adv.embedded.product_commands`),
pointed at this test run's database (pytest-django's, with its xdist suffix, as the restricted
application role) and a Redis of its own (`RedisServer`, which a test may stop), on a queue and a
cache prefix of their own, with their emails
written to files under a temporary directory.

Data the product must see is committed first (`transactional_db`): it runs in other processes.
"""

from __future__ import annotations

import email
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from email import policy as email_policy
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from adv import embedded
from tests.e2e.browser import ADV
from tests.e2e.browser import login as browser_login

START_TIMEOUT = 180  # seconds: a loaded two-core machine imports Django and WeasyPrint slowly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database, as its owner (settings turn it into the application role)."""
    db, owner = connection.settings_dict, settings.DATABASE_OWNER
    user = quote(owner["USER"] or "", safe="")
    password = f":{quote(owner['PASSWORD'], safe='')}" if owner["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{user}{password}@{host}{port}/{db['NAME']}"


@dataclass
class Product:
    port: int
    url: str
    var_dir: Path
    queue: str
    redis_url: str = ""  # its own Redis (RedisServer.url)
    processes: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    redis: object = None  # that RedisServer, which a test may stop and start

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name} (last lines)\n" + "\n".join(path.read_text(errors="replace").splitlines()[-60:])
            for path in sorted(self.var_dir.glob("*.log"))
        )

    def alive(self) -> None:
        for name, process in self.processes:
            assert process.poll() is None, f"the {name} process exited ({process.returncode})\n{self.logs()}"

    def emails(self) -> list[email.message.EmailMessage]:
        """The emails the product sent (Django's file backend: one file per connection)."""
        messages = []
        for path in sorted((self.var_dir / "mail").glob("*.log")):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    messages.append(email.message_from_bytes(raw.strip() + b"\n", policy=email_policy.default))
        return messages

    def email_texts(self) -> list[str]:
        texts = []
        for message in self.emails():
            body = message.get_body(preferencelist=("plain", "html"))
            texts.append(f"{message['Subject']}\n{body.get_content() if body else ''}")
        return texts


def environment(product: Product) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_TASK_ALWAYS_EAGER")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "adv.settings",
            "ADV_ENV": "development",  # as `make run`
            "PORT": str(product.port),
            "HOST": "127.0.0.1",
            "DATABASE_URL": _database_url(),
            "DATABASE_APP_USER": settings.DATABASE_APP["USER"],
            "DATABASE_APP_PASSWORD": settings.DATABASE_APP["PASSWORD"],
            "REDIS_URL": product.redis_url,
            "CELERY_QUEUE": product.queue,
            "CACHE_KEY_PREFIX": product.queue,
            "ADV_VAR_DIR": str(product.var_dir),
            # many small chunks, so that the two worker processes share the month's run
            "BILLING_RUN_CHUNK_SIZE": "2",
            "PYTHONPATH": str(settings.BASE_DIR),
            "PYTHONUNBUFFERED": "1",
        }
    )
    embedded.configure_site_url(env)  # as `make run`: the links carry this port
    return env


def _wait_until_started(product: Product) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    web_up = worker_up = beat_up = False
    while time.monotonic() < deadline and not (web_up and worker_up and beat_up):
        product.alive()
        if not web_up:
            try:
                with urllib.request.urlopen(f"{product.url}/accounts/login/", timeout=5) as response:
                    web_up = response.status == 200
            except OSError:
                pass
        worker_log = (product.var_dir / "worker.log").read_text(errors="replace")
        worker_up = worker_up or " ready." in worker_log
        beat_up = beat_up or "beat: Starting" in (product.var_dir / "beat.log").read_text(errors="replace")
        time.sleep(0.5)
    assert web_up and worker_up and beat_up, f"the product did not start in {START_TIMEOUT}s\n{product.logs()}"


def start(var_dir: Path, redis: RedisServer) -> Product:
    """The product on a Redis of its own (`redis`, started), which a test may stop: its queues and
    cache are thrown away with it."""
    port = free_port()
    queue = f"adv-e2e-{uuid.uuid4().hex[:12]}"
    product = Product(port=port, url="", var_dir=var_dir, queue=queue, redis_url=redis.url, redis=redis)
    env = environment(product)
    product.url = env["SITE_URL"]
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        for name, command in embedded.product_commands(str(port), var_dir=var_dir, worker_name=queue):
            with open(var_dir / f"{name}.log", "w") as log:
                process = subprocess.Popen(
                    command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            product.processes.append((name, process))
        _wait_until_started(product)
    except BaseException:
        stop(product)
        raise
    return product


def stop(product: Product) -> None:
    """Stop the processes (their whole groups: the worker's children too)."""
    for _name, process in product.processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for _name, process in product.processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    _wait_for_sessions_to_end()


class RedisServer:
    """A Redis of the product's own, on a Unix socket as `make run`'s embedded one (same options:
    snapshots on shutdown, so a restart finds the queues), which the test can stop and start."""

    def __init__(self, directory: Path):
        self.directory = directory
        # Unix socket paths are limited to about 107 bytes: a short directory of its own.
        self.socket = Path(tempfile.mkdtemp(prefix="adv-redis-")) / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server", "--port", "0",
                "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                "--dir", str(self.directory), "--dbfilename", "dump.rdb", "--save", "60 1", "--appendonly", "no",
                "--logfile", str(self.directory / "redis.log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while not embedded._redis_answers(self.socket):
            assert self.process.poll() is None and time.monotonic() < deadline, (
                f"redis-server did not start: {(self.directory / 'redis.log').read_text(errors='replace')}"
            )
            time.sleep(0.1)

    def stop(self) -> None:
        """As an operator's restart: SIGTERM, Redis saves its snapshot and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.socket.parent, ignore_errors=True)


def _wait_for_sessions_to_end(timeout: float = 20) -> None:
    """The killed processes' database sessions end a moment after them; the test database can
    only be dropped once they have."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.2)


def login(page, product, email: str = ADV) -> None:
    browser_login(page, product.url, email)


def wait_for(condition, timeout: float, product, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        product.alive()
        time.sleep(0.5)
    raise AssertionError(f"{what}: not after {timeout}s\n{product.logs()}")
