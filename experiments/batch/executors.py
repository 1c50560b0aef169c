"""Where runs execute: a local process pool (the default) or a Dask cluster, behind one interface.

Both are :class:`concurrent.futures.Executor` objects; the runner only submits and waits.
Dask is imported only when ``--scheduler`` is given (optional extra ``inclusim[cluster]``).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from model.errors import InputError, Problem

PRELOAD = ["experiments.batch.runner", "model.run", "model.loader", "model.inclusion_model"]
"""Modules the fork server imports once, so each worker starts with them loaded (a missing
name is skipped by the fork server)."""

CONNECT_TIMEOUT = "10s"
"""How long to try reaching a Dask scheduler before giving up."""

PARENT_POLL_SECONDS = 1.0
"""How often a local worker checks that its parent is still alive."""


MAX_WORKERS_PER_CORE = 4
"""Most local workers per core: more only share the cores, each holding a population."""

SCHEMES = ("tcp", "tls", "ucx", "ws", "wss")
"""Address schemes of a Dask scheduler."""


def max_workers() -> int:
    """Most local workers ``--workers`` accepts on this machine."""
    return MAX_WORKERS_PER_CORE * default_workers()


def check_workers(workers: int | None) -> None:
    """Refuse more local workers than :func:`max_workers`.

    Raises:
        InputError: too many workers.

    """
    if workers is not None and workers > max_workers():
        raise InputError(
            "--workers",
            [
                Problem(
                    "",
                    f"{workers:,} is more than {max_workers()}, {MAX_WORKERS_PER_CORE} per core "
                    f"this process may use ({default_workers()}).",
                    f"use at most {max_workers()}; for more, run on a cluster (--scheduler).",
                )
            ],
        )


def check_address(address: str) -> None:
    """Refuse a scheduler address that is not ``[SCHEME://]HOST:PORT``, before Dask sees it.

    Dask's client prints a traceback from its destructor (after a 20 s wait) when given an
    address it cannot parse; checking first gives one message at once.

    Raises:
        InputError: the address is malformed.

    """
    from urllib.parse import urlsplit

    scheme, sep, _ = address.partition("://")
    full = address if sep else f"tcp://{address}"
    problem = None
    try:
        parts = urlsplit(full)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        host, port, problem = None, None, str(exc)
    if sep and scheme not in SCHEMES:
        problem = f"unknown scheme '{scheme}' (Dask speaks {', '.join(SCHEMES)})"
    elif not address.isprintable() or any(c.isspace() for c in address):
        problem = "it holds spaces or control characters"
    elif problem is None and (not host or not port or parts.path or parts.query):
        problem = "it needs a host and a port (1-65535)"
    if problem is not None:
        raise InputError(
            "--scheduler",
            [
                Problem(
                    "",
                    f"'{address}' is not a scheduler address: {problem}.",
                    "write it as tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786 ([::1] for IPv6).",
                )
            ],
        )


class PoolLostError(RuntimeError):
    """The executor can run nothing more (e.g. the Dask scheduler has gone away)."""


def _always_alive() -> None:
    """A local pool reports a dead worker itself (``BrokenProcessPool``)."""


@dataclass
class Pool:
    """An executor and how many runs it can work on at once.

    Attributes:
        executor: where runs are submitted.
        slots: runs it executes at the same time (workers x threads).
        label: description for the manifest and messages.
        check: raises :class:`PoolLostError` once the executor can no longer finish runs; the
            runner calls it whenever no run has finished for a while.

    """

    executor: Executor
    slots: int
    label: str
    check: Callable[[], None] = field(default=_always_alive)


def default_workers() -> int:
    """Local workers by default: one per core this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:
        return max(os.cpu_count() or 1, 1)


def start_method() -> str:
    """The safe start method: ``forkserver`` on Linux, ``spawn`` elsewhere.

    Plain ``fork`` copies a parent that may hold threads (progress bar, Jupyter kernel, Dask)
    and can deadlock; both choices start workers from a clean interpreter.
    """
    return "forkserver" if sys.platform.startswith("linux") else "spawn"


@contextmanager
def open_pool(workers: int | None = None, scheduler: str | None = None) -> Iterator[Pool]:
    """Open the executor chosen on the command line; close it on exit.

    Args:
        workers: local worker processes (default: one per core). Ignored with ``scheduler``.
        scheduler: address of a Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.

    Raises:
        InputError: too many workers, a malformed address, Dask is not installed, or the
            scheduler cannot be reached.

    """
    if scheduler:
        check_address(scheduler)
        with _dask_pool(scheduler) as pool:
            yield pool
        return
    check_workers(workers)
    n = workers or default_workers()
    ctx = mp.get_context(start_method())
    if start_method() == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    executor = ProcessPoolExecutor(
        max_workers=n, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),)
    )
    try:
        yield Pool(
            executor, n, f"local process pool ({n} worker{'s' if n > 1 else ''}, {start_method()})"
        )
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _init_worker(parent_pid: int) -> None:
    """Set up a local worker: Ctrl-C is the parent's business; die with the parent.

    The parent handles Ctrl-C and shuts the pool down; a worker that also received it would
    print a traceback. A worker whose parent is killed (``kill -9``) would otherwise wait for
    work forever, so a daemon thread exits the worker once its parent has gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    original = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != original or not _alive(parent_pid):
                os._exit(1)

    threading.Thread(target=watch, name="inclusim-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _dask_pool(address: str) -> Iterator[Pool]:
    where = "--scheduler"
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            where,
            [
                Problem(
                    "",
                    "needs Dask distributed, which is not installed.",
                    "install it with: pip install 'inclusim[cluster]'",
                )
            ],
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            where,
            [
                Problem(
                    "",
                    f"cannot reach a Dask scheduler at {address} ({exc}).",
                    "start one (dask scheduler; dask worker ADDRESS) or check the address, "
                    "e.g. tcp://127.0.0.1:8786.",
                )
            ],
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise InputError(
                where,
                [
                    Problem(
                        "",
                        f"the scheduler at {address} has no workers.",
                        "start some: dask worker " + address,
                    )
                ],
            ) from None
        slots = max(sum(client.nthreads().values()), 1)
        executor = client.get_executor(pure=False)

        def check() -> None:
            # A client that lost its scheduler retries, then closes; its futures never finish.
            if client.status in ("closing", "closed"):
                raise PoolLostError("lost the Dask scheduler")

        yield Pool(executor, slots, f"Dask cluster at {address} ({slots} threads)", check)
    finally:
        client.close()
