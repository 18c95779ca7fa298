"""`cobro serve` and `cobro worker` as processes, the way an operator and docker-compose run them:
they answer, report health, and stop cleanly on SIGTERM and SIGINT, leaving no Redis behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from service.config import Settings
from service.queue import EmbeddedRedis

WAIT_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _env(settings: Settings, var_dir: Path, *, embedded_redis: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "COBRO_VAR_DIR": str(var_dir),
        "COBRO_SECRET_KEY": "serve-test-secret-" + "z" * 32,
        "COBRO_LOG_LEVEL": "WARNING",
    }
    # Unset, the process starts its own Redis server under var/.
    env.pop("REDIS_URL", None)
    if not embedded_redis:
        env["REDIS_URL"] = settings.redis_url or ""
    return env


def _redis_servers(var_dir: Path) -> list[int]:
    """Pids of redis-server processes listening on the socket of `var_dir`."""
    socket_path = str(EmbeddedRedis(var_dir).socket_path)
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "redis-server" in command and socket_path in command:
            pids.append(int(proc.name))
    return pids


def _children(pid: int) -> list[int]:
    """Pids of the `cobro worker` processes whose parent is ``pid``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"worker" in command:
            found.append(int(proc.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "service", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_healthy(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    _out, err = process.communicate()
    raise AssertionError(f"cobro serve did not become healthy: {err[-2000:]}")


def _stop(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str]:
    process.send_signal(sig)
    try:
        _out, err = process.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
        raise AssertionError(f"did not stop on {sig.name}: {err[-2000:]}") from None
    return process.returncode, err


@pytest.fixture
def process_var(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "var"
    yield directory
    for pid in _redis_servers(directory):  # never leave a server behind, even on failure
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_and_takes_its_worker_and_embedded_redis_along(
    settings: Settings, tmp_path: Path, process_var: Path, sig: signal.Signals
) -> None:
    env = _env(settings, process_var, embedded_redis=True)
    port = _free_port()
    process = _start(["serve", "--port", str(port)], env, tmp_path)
    _wait_healthy(process, f"http://127.0.0.1:{port}")
    _wait_for(lambda: _check(env, tmp_path).returncode == 0, "the worker's health report")
    assert len(_redis_servers(process_var)) == 1  # the worker shares the server's Redis
    (worker,) = _children(process.pid)
    # The worker gives way to the API under load.
    assert os.getpriority(os.PRIO_PROCESS, worker) > os.getpriority(os.PRIO_PROCESS, process.pid)

    code, err = _stop(process, sig)

    assert code == 0, err[-2000:]
    assert "Traceback" not in err
    assert not _alive(worker)
    assert _redis_servers(process_var) == []


def test_serve_starts_its_worker_again_when_it_dies(
    settings: Settings, tmp_path: Path, process_var: Path
) -> None:
    env = _env(settings, process_var, embedded_redis=True)
    port = _free_port()
    process = _start(["serve", "--port", str(port)], env, tmp_path)
    _wait_healthy(process, f"http://127.0.0.1:{port}")
    _wait_for(lambda: len(_children(process.pid)) == 1, "the worker")
    (first,) = _children(process.pid)

    os.kill(first, signal.SIGKILL)
    _wait_for(lambda: [pid for pid in _children(process.pid) if pid != first] != [], "a new one")
    (second,) = _children(process.pid)
    _wait_for(lambda: _check(env, tmp_path).returncode == 0, "its health report")
    code, err = _stop(process, signal.SIGTERM)

    assert second != first
    assert code == 0, err[-2000:]
    assert "worker_exited" in err
    assert not _alive(second)
    assert _redis_servers(process_var) == []


def test_serve_runs_as_many_workers_as_asked_and_stops_them_all(
    settings: Settings, tmp_path: Path, process_var: Path
) -> None:
    env = _env(settings, process_var, embedded_redis=True)
    port = _free_port()
    process = _start(["serve", "--port", str(port), "--workers", "2"], env, tmp_path)
    _wait_healthy(process, f"http://127.0.0.1:{port}")
    _wait_for(lambda: len(_children(process.pid)) == 2, "two workers")
    workers = _children(process.pid)

    code, err = _stop(process, signal.SIGTERM)

    assert code == 0, err[-2000:]
    assert not any(_alive(pid) for pid in workers)
    assert _redis_servers(process_var) == []


def test_a_worker_whose_serve_is_killed_stops_too(
    settings: Settings, tmp_path: Path, process_var: Path
) -> None:
    env = _env(settings, process_var, embedded_redis=False)
    port = _free_port()
    process = _start(["serve", "--port", str(port)], env, tmp_path)
    _wait_healthy(process, f"http://127.0.0.1:{port}")
    _wait_for(lambda: len(_children(process.pid)) == 1, "the worker")
    (worker,) = _children(process.pid)

    process.kill()
    process.communicate()

    _wait_for(lambda: not _alive(worker), "the orphaned worker to stop")


def _check(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", "worker", "--check"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )


def test_api_and_worker_as_separate_processes_like_docker_compose(
    settings: Settings, tmp_path: Path, process_var: Path
) -> None:
    """The api service runs `cobro serve --no-worker`, the worker service `cobro worker`, and
    the worker's health check `cobro worker --check` (here on one embedded Redis they share)."""
    env = _env(settings, process_var, embedded_redis=True)
    port = _free_port()
    api = _start(["serve", "--port", str(port), "--no-worker"], env, tmp_path)
    _wait_healthy(api, f"http://127.0.0.1:{port}")

    idle = _check(env, tmp_path)
    assert idle.returncode == 1, idle.stderr
    assert "no worker has reported" in idle.stderr

    worker = _start(["worker"], env, tmp_path)
    deadline = time.monotonic() + WAIT_SECONDS
    while (checked := _check(env, tmp_path)).returncode != 0 and time.monotonic() < deadline:
        assert worker.poll() is None, worker.communicate()[1][-2000:]
        time.sleep(0.5)
    assert checked.returncode == 0, checked.stderr
    assert "j_complete=" in checked.stdout
    assert len(_redis_servers(process_var)) == 1  # the worker shares the api's server

    worker_code, worker_err = _stop(worker, signal.SIGTERM)
    api_code, api_err = _stop(api, signal.SIGTERM)

    assert (worker_code, api_code) == (0, 0), (worker_err[-2000:], api_err[-2000:])
    assert "Traceback" not in worker_err + api_err
    assert _redis_servers(process_var) == []


def test_worker_check_without_redis_is_one_line_and_exit_1(
    settings: Settings, tmp_path: Path
) -> None:
    env = {**_env(settings, tmp_path / "var", embedded_redis=False)}
    env["REDIS_URL"] = f"redis://127.0.0.1:{_free_port()}/0"

    done = _check(env, tmp_path)

    assert done.returncode == 1
    assert "Redis unreachable" in done.stderr
    assert "Traceback" not in done.stderr
