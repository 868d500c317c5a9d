"""Run one function over many files in worker processes, surviving whatever a file does.

:func:`run` calls ``func(*args)`` for every :class:`Task` and yields one
:class:`Outcome` per task, in completion order. Whatever goes wrong with one file
becomes that file's outcome, never the end of the run:

* an exception raised by ``func`` (a :class:`~govopen.errors.ReportError` or a
  parser bug) → ``error`` is the exception's type name;
* a file that takes longer than ``timeout`` → ``error="Timeout"``. The limit is
  enforced inside the worker with :func:`govopen.limits.time_limit` (each worker
  process runs its task on its main thread, where ``SIGALRM`` works); a worker
  that does not come back within a grace period after that (a loop in C code
  that never lets the signal handler run, or an inner, longer limit of a
  reader) is killed by the parent;
* a worker process that dies (segfault, out of memory, ``os._exit``) →
  ``error="WorkerCrashed"``. The pool breaks for every task it held, so the
  tasks that were running are re-run one at a time in a fresh single-worker
  pool to find the one that kills it; tasks that had not started are simply
  resubmitted.

Modes: ``jobs >= 1`` uses a :class:`concurrent.futures.ProcessPoolExecutor`
(``forkserver`` start method where available, so workers never inherit the
parent's threads); ``jobs == 0`` runs in this process (for debugging: a crash
ends the run); ``dask="ADDRESS"`` (or a ``distributed.Client``) maps the tasks
over a Dask cluster. Dask runs tasks on worker threads, where ``SIGALRM`` cannot
be used: there :func:`govopen.read_report` reads each file in a child process of
the Dask worker and kills it past the limit, so a build's ``timeout`` holds on a
cluster too (a function of your own given to :func:`run` gets no limit there); a
task whose worker dies repeatedly is reported as ``KilledWorker``.

``Outcome.retry`` is true for failures that may not happen again (timeouts,
crashes, unexpected exceptions): callers should not cache them.

Example:
    >>> out = list(run(len, [Task("a", ("xyz",)), Task("b", (None,))], jobs=0))
    >>> [(o.key, o.value, o.error) for o in out]
    [('a', 3, None), ('b', None, 'TypeError')]
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from govopen import limits
from govopen.errors import ReportError, ReportTimeout
from govopen.limits import time_limit

# Seconds a worker may overrun its time limit before the parent kills it.
GRACE = 5.0
# Tasks handed to the pool per worker at any time (bounds memory and the number of
# tasks to re-run after a crash).
QUEUE_PER_WORKER = 4


@dataclass(frozen=True)
class Task:
    """One unit of work: ``func(*args)``, identified by ``key`` (a file)."""

    key: str
    args: tuple


@dataclass
class Outcome:
    """What became of one task: ``value`` if it worked, else ``error`` and ``message``."""

    key: str
    value: Any = None
    error: str | None = None
    message: str = ""
    retry: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def run(func: Callable[..., Any], tasks: Iterable[Task], *, jobs: int | None = None,
        timeout: float | None = None, dask: Any = None,
        warmup: Callable[[], Any] | None = None,
        preload: Sequence[str] = ()) -> Iterator[Outcome]:
    """Yield an :class:`Outcome` for every task (see the module docstring).

    ``warmup`` runs once in each worker before its first task, outside the time
    limit (e.g. loading data every task needs). ``preload`` names modules the
    fork server imports once, before it forks the first worker: a module that
    does the warm-up when imported (:mod:`govopen.prewarm`) leaves the workers'
    own ``warmup`` nothing to do. It counts only in the first pool of a process
    (there is one fork server per process).
    """
    tasks = list(tasks)
    if not tasks:
        return
    if dask is not None:
        yield from _run_dask(func, tasks, timeout, dask)
    elif jobs == 0:
        if warmup is not None:
            warmup()
        for task in tasks:
            yield call(func, task, timeout)
    else:
        yield from _Pool(func, timeout, jobs or default_jobs(), warmup, preload).run(tasks)


def prestart(func: Callable[..., Any], preload: Sequence[str] = ()) -> None:
    """Start the fork server that :func:`run` (``jobs >= 1``) will fork ``func``'s workers
    from, without waiting for it: its start and its ``preload`` then overlap whatever
    the caller does until it calls :func:`run` (a build hashes its inputs). Does
    nothing where there is no fork server, or once it runs.

    Example:
        >>> prestart(len)  # doctest: +SKIP
    """
    if _context(func, preload).get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def call(func: Callable[..., Any], task: Task, timeout: float | None,
         started: Any = None) -> Outcome:
    """Run one task under the time limit and turn any exception into an Outcome.

    This is what a worker process executes; ``started`` (a queue) is told the
    worker's pid first, so that the parent knows which task each worker holds.
    """
    if started is not None:
        started.put((task.key, os.getpid(), time.time()))
    t0 = time.monotonic()
    try:
        with time_limit(timeout, task.key):
            value = func(*task.args)
    except ReportError as exc:
        seconds = time.monotonic() - t0
        if isinstance(exc, ReportTimeout) or (timeout and seconds >= 0.99 * timeout):
            return Outcome(task.key, error="Timeout", message=exc.problem, retry=True,
                           seconds=seconds)
        return Outcome(task.key, error="ReportError", message=exc.problem, seconds=seconds)
    except Exception as exc:  # a parser bug must not stop the batch
        return Outcome(task.key, error=type(exc).__name__, message=str(exc)[:2000], retry=True,
                       seconds=time.monotonic() - t0)
    return Outcome(task.key, value=value, seconds=time.monotonic() - t0)


# --------------------------------------------------------------------------- processes

_STARTED: Any = None


def _init_worker(started: Any, warmup: Callable[[], Any] | None) -> None:
    global _STARTED
    _STARTED = started
    # ^C is the parent's to handle; workers are shut down by the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (kill -9) cannot shut the pool down: leave with it.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    # A worker stuck in C code never runs that thread: the kernel kills it when
    # the process that started it (the fork server, which leaves with the
    # parent) is gone (Linux).
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if warmup is not None:
        warmup()


def _exit_with(parent: Any) -> None:
    parent.join()  # returns once the parent process has ended
    os._exit(1)


def _call_in_worker(func: Callable[..., Any], task: Task, timeout: float | None,
                    values: limits.Limits | None = None) -> Outcome:
    if values is not None:
        limits.use(values)  # the parent's size limits (govopen.limits.configure)
    return call(func, task, timeout, _STARTED)


def _context(func: Callable[..., Any], preload: Sequence[str] = ()) -> Any:
    """``forkserver`` (no threads or locks inherited from the parent) where it works.

    The fork server imports ``func``'s module (and ``preload``) once, so that
    workers start warm.
    Like ``spawn``, it re-imports the parent's main script in the workers; a main
    script that is not a file (``python - < script``) cannot be, so there ``fork``.
    """
    methods = multiprocessing.get_all_start_methods()
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not os.path.exists(main_file) and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    module = getattr(func, "__module__", None)
    modules = [*([module] if module and module != "__main__" else []), *preload]
    if modules:  # (no effect once the server runs)
        ctx.set_forkserver_preload(["__main__", *modules])
    return ctx


class _Pool:
    """A process pool that survives crashed and stuck workers (see module docstring)."""

    def __init__(self, func: Callable[..., Any], timeout: float | None, jobs: int,
                 warmup: Callable[[], Any] | None = None, preload: Sequence[str] = ()) -> None:
        self.func, self.timeout, self.jobs, self.warmup = func, timeout, jobs, warmup
        self.preload = tuple(preload)
        self.hard_limit = timeout + max(GRACE, timeout / 2) if timeout and timeout > 0 else None

    def run(self, tasks: list[Task]) -> Iterator[Outcome]:
        pending = deque(tasks)
        stalls = 0
        while pending:
            before = len(pending)
            suspects = yield from self._round(pending, self.jobs, QUEUE_PER_WORKER * self.jobs)
            stalls = stalls + 1 if not suspects and len(pending) >= before else 0
            if stalls >= 3:  # the pool breaks before any task starts: give up cleanly
                while pending:
                    yield Outcome(pending.popleft().key, error="WorkerCrashed", retry=True,
                                  message="worker processes could not be started")
            for task in suspects:  # find the one that kills its worker
                lone = deque([task])
                if (yield from self._round(lone, 1, 1)) or lone:
                    yield Outcome(task.key, error="WorkerCrashed", retry=True,
                                  message="the worker process died while reading this file")

    def _round(self, pending: deque[Task], workers: int,
               window: int) -> Generator[Outcome, None, list[Task]]:
        """Run tasks from ``pending`` until it is empty or the pool breaks.

        Returns the tasks that were running when the pool broke (the suspects);
        tasks that had not started go back to ``pending``.
        """
        ctx = _context(self.func, self.preload)
        started = ctx.SimpleQueue()
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=ctx,
                                   initializer=_init_worker, initargs=(started, self.warmup))
        inflight: dict[Future[Outcome], Task] = {}
        running: dict[str, tuple[int, float]] = {}
        killed: set[str] = set()
        broken = False
        try:
            while (pending or inflight) and not broken:
                while pending and len(inflight) < window:
                    task = pending.popleft()
                    inflight[pool.submit(_call_in_worker, self.func, task, self.timeout,
                                         limits.limits())] = task
                done, _ = wait(inflight, timeout=0.2, return_when=FIRST_COMPLETED)
                _drain(started, running)
                for future in done:
                    task = inflight[future]
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as exc:  # e.g. a result that cannot be pickled
                        outcome = Outcome(task.key, error=type(exc).__name__, message=str(exc),
                                          retry=True)
                    del inflight[future]
                    running.pop(task.key, None)
                    yield outcome
                if not broken:
                    self._kill_overdue(running, killed)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            _drain(started, running)
            started.close()
        suspects = []
        for future, task in inflight.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                yield future.result()  # finished just before the pool broke
            elif task.key in killed:
                yield Outcome(task.key, error="Timeout", retry=True,
                              message=f"reading the file took longer than {self.timeout:g} s "
                                      "(the worker was stopped)")
            elif task.key in running and not killed:
                suspects.append(task)
            else:  # had not started, or was only a bystander of a worker we stopped
                pending.appendleft(task)
        return suspects

    def _kill_overdue(self, running: dict[str, tuple[int, float]], killed: set[str]) -> None:
        if self.hard_limit is None:
            return
        now = time.time()
        for key, (pid, since) in running.items():
            if key not in killed and now - since > self.hard_limit:
                killed.add(key)
                try:
                    os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # our worker
                except ProcessLookupError:
                    pass


def _drain(started: Any, running: dict[str, tuple[int, float]]) -> None:
    try:
        while not started.empty():
            key, pid, since = started.get()
            running[key] = (pid, since)
    except (OSError, EOFError, ValueError):  # queue already closed
        pass


# --------------------------------------------------------------------------- dask


def _run_dask(func: Callable[..., Any], tasks: list[Task], timeout: float | None,
              dask: Any) -> Iterator[Outcome]:
    from distributed import Client, as_completed

    client = dask if isinstance(dask, Client) else Client(dask)
    try:
        window = max(8, 4 * sum(client.nthreads().values()))
        queue = deque(tasks)
        futures = {}

        def submit() -> Any:
            task = queue.popleft()
            future = client.submit(call, func, task, timeout, pure=False)
            futures[future.key] = task
            return future

        batch = as_completed([submit() for _ in range(min(window, len(queue)))])
        for future in batch:
            task = futures.pop(future.key)
            try:
                outcome = future.result()
            except Exception as exc:  # KilledWorker, CancelledError, …
                outcome = Outcome(task.key, error=type(exc).__name__, message=str(exc)[:2000],
                                  retry=True)
            future.release()
            if queue:
                batch.add(submit())
            yield outcome
    finally:
        if client is not dask:
            client.close()
