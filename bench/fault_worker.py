"""Fault: the RQ worker killed (SIGKILL, with its work-horse) in the middle of a task; a new
worker is started, and the task must complete (DurableQueue's Retry + DurableWorker's registry
maintenance, src/qingyi/ops/rq.py). Runs inside the topology, which gives it the environment:

    PY=.venv/bin/python bash deploy/topology.sh --keep-running .venv/bin/python bench/fault_worker.py

Prints the attempts, the time from the kill to completion and the task result's status; exits
non-zero if the task did not complete within --timeout seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")


def descendants(pid: int) -> list[int]:
    """The process's children, grandchildren... (from /proc), deepest first."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            found.extend(descendants(child))
            found.append(child)
    return found


def kill_tree(pid: int) -> list[int]:
    """SIGKILL the process and everything under it (no chance to clean up: a crash)."""
    victims = [*descendants(pid), pid]
    for victim in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
    return victims


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=12, help="how long the task runs")
    parser.add_argument("--timeout", type=float, default=240, help="give up after this long")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the new worker on the way out

    import django

    django.setup()
    import django_rq
    from django.core.cache import cache
    from rq.registry import FailedJobRegistry

    from bench.tasks import slow_marker

    token = uuid.uuid4().hex
    started = time.monotonic()
    result = slow_marker.enqueue(token, args.seconds)
    print(f"enqueued slow_marker ({args.seconds:.0f} s) as {result.id}", flush=True)
    while not cache.get(f"bench:slow:{token}:attempts"):
        if time.monotonic() - started > 60:
            print("FAILED: the worker never started the task")
            return 1
        time.sleep(0.1)
    time.sleep(args.seconds / 3)
    worker_pid = int(os.environ["WORKER_PID"])
    victims = kill_tree(worker_pid)
    killed_at = time.monotonic()
    print(f"worker killed (SIGKILL to {victims}) {args.seconds / 3:.1f} s into the task", flush=True)

    log = open(Path(os.environ.get("TOPOLOGY_WORK", "/tmp")) / "worker-restarted.log", "ab")  # noqa: SIM115
    worker = subprocess.Popen(shlex.split(os.environ["WORKER_CMD"]), cwd=ROOT, stdout=log, stderr=log)
    print(f"a new worker started (pid {worker.pid})", flush=True)
    try:
        while not cache.get(f"bench:slow:{token}:done"):
            if time.monotonic() - killed_at > args.timeout:
                failed = FailedJobRegistry(queue=django_rq.get_queue("default"))
                print(
                    f"FAILED: not completed {args.timeout:.0f} s after the kill; "
                    f"failed jobs: {failed.get_job_ids()}"
                )
                return 1
            time.sleep(0.5)
        recovered = time.monotonic() - killed_at
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            result.refresh()
            if result.is_finished:
                break
            time.sleep(0.3)
        attempts = cache.get(f"bench:slow:{token}:attempts")
        print(
            f"task completed {recovered:.1f} s after the kill, after {attempts} attempts; "
            f"task result {result.status}, return value {result.return_value if result.is_finished else '-'}"
        )
        return 0 if result.status == "SUCCESSFUL" else 1
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


if __name__ == "__main__":
    sys.exit(main())
