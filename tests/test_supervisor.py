"""`make run` keeps the product up: a process that exits is restarted with a growing back-off,
the others are left alone (it used to stop everything when one child exited)."""

import sys
import time

from adv.embedded import Supervisor, web_workers


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _wait_exit(process, timeout=10):
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is not None


def test_an_exited_process_is_restarted_with_a_growing_back_off_and_the_others_keep_running(tmp_path):
    clock = FakeClock()
    supervisor = Supervisor(
        [
            ("web", [sys.executable, "-c", "import time; time.sleep(60)"]),
            ("worker", [sys.executable, "-c", "import sys; sys.exit(3)"]),
        ],
        cwd=tmp_path,
        clock=clock,
    )
    supervisor.start()
    try:
        web = supervisor.processes["web"]
        _wait_exit(supervisor.processes["worker"])

        supervisor.check()  # the worker exited: restart planned in 1 s, nothing else stopped
        assert supervisor.restart_at["worker"] == clock.now + 1
        assert web.poll() is None

        clock.now += 0.5
        supervisor.check()
        assert supervisor.restarts == 0  # not before its back-off
        clock.now += 0.5
        supervisor.check()
        assert supervisor.restarts == 1
        _wait_exit(supervisor.processes["worker"])

        supervisor.check()  # it failed again at once: the back-off doubles
        assert supervisor.restart_at["worker"] == clock.now + 2

        clock.now += 2
        supervisor.check()
        _wait_exit(supervisor.processes["worker"])
        clock.now += Supervisor.STABLE_AFTER  # it ran long enough: back to 1 s
        supervisor.check()
        assert supervisor.restart_at["worker"] == clock.now + 1
        assert supervisor.processes["web"] is web and web.poll() is None
    finally:
        supervisor.stop(timeout=5)
    assert web.poll() is not None


def test_web_workers_follow_the_cores_unless_set(monkeypatch):
    monkeypatch.delenv("WEB_WORKERS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert web_workers() == 6
    monkeypatch.setenv("WEB_WORKERS", "3")
    assert web_workers() == 3
