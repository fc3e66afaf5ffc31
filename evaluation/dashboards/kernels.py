"""A kernel manager with a cap: at most ``max_kernels`` dashboard kernels at a time.

Voilà gives every page view a kernel of its own (about 280–370 MB each with the dashboards' imports
and data; ``BENCHMARKS.md``) and keeps it until it is culled. Voilà and jupyter_server have no
limit, so a handful of page views can exhaust a small server. :class:`CappedKernelManager` is passed
to Voilà as ``VoilaConfiguration.multi_kernel_manager_class`` (Voilà wraps it into its preheating
kernel manager, so the cap counts the preheated pool too).

What a kernel is, for the cap
-----------------------------
* **serving**: a viewer's browser is connected to it (at least one open websocket), or it was
  handed to a viewer less than ``connect_grace`` seconds ago (default 120 s, counted from its last
  activity, so a page still rendering keeps it) and the browser has not connected yet; 30 s was
  too short for a crowd: with 20 viewers at once on 2 cores browsers connected later than that;
* **preheating**: in Voilà's pool of preheated kernels (ran the notebook, waits for a viewer);
* **left**: its viewer's last websocket closed (a closed tab, a reload, a navigation away). It is
  shut down ``disconnect_grace`` seconds later (default 5 s; a websocket that reconnects within
  that time keeps it), and at once when the cap needs room;
* **abandoned**: handed out but no browser ever connected within ``connect_grace`` seconds of the
  kernel being idle (a page fetched by a script, a tab closed while loading); a kernel still starting
  or running the notebook for its viewer (execution state ``starting`` or ``busy``) never counts as
  abandoned. Shut down like a left kernel.

Only serving and preheating kernels hold a place under the cap. When a start finds ``max_kernels``
kernels running, left kernels (the one whose viewer left first) and abandoned ones are shut down to
make room; for a viewer (never for a pool refill) a preheated kernel of the pool is given up next:
a viewer who is there beats a viewer who may come. When every kernel serves a viewer, the start is
refused with HTTP 503 and a Swedish message (:data:`FULL_MESSAGE`, rendered by the ``styrelse``
template's ``error.html``): the viewer sees why and can reload later; nothing is silently queued.

The pool and the cap
--------------------
Voilà refills its pool ``fill_delay`` seconds after a viewer took a kernel. When that refill finds
no room it is **deferred**, not failed: the refill is taken out of the pool (so no viewer is ever
handed a refused refill as a 503, and Voilà's own bookkeeping never meets a failed pool entry) and
retried as soon as any kernel has been shut down. A refill a viewer is already waiting for is that
viewer's start and is treated as one.

Idle kernels are also culled by jupyter_server's culler (``cull_idle_timeout``, default 600 s in
:func:`evaluation.dashboards.server.voila_arguments`); pool kernels are never culled.
"""

from __future__ import annotations

import asyncio
import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Integer

from ..errors import EvaluationError

__all__ = ["CappedKernelManager", "FULL_MESSAGE"]

FULL_MESSAGE = ("För många samtidiga besökare på instrumentpanelen just nu (högst {cap} åt gången). "
                "Försök igen om en stund.")


class _RefillDeferred(EvaluationError, RuntimeError):
    """A pool refill found no room under the cap; it is retried when a kernel has been shut down."""


def _retrieve(task: asyncio.Task) -> None:
    """Done-callback: fetch a task's exception so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()


class CappedKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` that never runs more than ``max_kernels`` kernels.

    Kernels of closed tabs are shut down ``disconnect_grace`` seconds after their last websocket
    closed; kernels no browser ever connected to, ``connect_grace`` seconds after they were handed
    out (or after their last activity, whichever is later). See the module docstring for the
    order in which room is made.

    Examples
    --------
    >>> km = CappedKernelManager(max_kernels=3)
    >>> km.max_kernels, km.disconnect_grace, km.connect_grace
    (3, 5.0, 120.0)
    >>> km.running_kernels()  # no kernel started yet
    0
    """

    max_kernels = Integer(8, config=True, help="Most kernels running at the same time (pool included; 0: no cap).")
    disconnect_grace = Float(5.0, config=True, help="Seconds after the last websocket of a kernel closed (a closed "
                                                    "tab) before it is shut down; negative: only when room is needed.")
    connect_grace = Float(120.0, config=True, help="Seconds a kernel handed to a viewer may wait (idle) for its "
                                                  "browser before it counts as abandoned and is shut down.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._left: dict[str, float] = {}      # kernel id -> when its last websocket closed
        self._seen: set[str] = set()           # kernels a browser has connected to
        self._taken: dict[str, float] = {}     # kernel id -> when it was handed to a viewer
        self._starting: set[str] = set()       # ids of starts under way (passed the cap, not returned yet)
        self._deferred: set[str] = set()       # notebooks whose pool refill waits for room
        self._closing = False
        self._making_room = 0
        self._timers: dict[str, asyncio.TimerHandle] = {}
        original = getattr(self, "get_rendered_notebook", None)
        if original is not None:  # Voilà's preheating manager: note when a pool kernel is handed out

            async def get_rendered_notebook(*args, **kw):
                result = await original(*args, **kw)
                self._handed_out(result[2])
                return result

            self.get_rendered_notebook = get_rendered_notebook
        self._pool_of: dict[asyncio.Task, str] = {}  # every pool task Voilà made -> its notebook
        fill = getattr(self, "fill_if_needed", None)
        if fill is not None:  # remember each refill's notebook, also after a viewer took it out of the pool

            def fill_if_needed(*args, **kw):
                result = fill(*args, **kw)
                for name, tasks in getattr(self, "_pools", {}).items():
                    for task in tasks:
                        if task not in self._pool_of:
                            self._pool_of[task] = name
                            task.add_done_callback(lambda t: self._pool_of.pop(t, None))
                return result

            self.fill_if_needed = fill_if_needed

    # ------------------------------------------------------------------ bookkeeping

    def running_kernels(self) -> int:
        """Kernels that hold a place under the cap now: running, pending and being started."""
        # one place per kernel id: a start under way is first only ours, then also jupyter_client's
        # pending kernel, then a kernel; counting the three apart counted every start twice (with
        # 20 viewers arriving at once, 18 cold starts filled a cap of 24 and viewers were refused)
        return len(set(self._kernels) | set(getattr(self, "_pending_kernels", {}) or {}) | self._starting)

    def _pool_kernel_ids(self) -> set:
        """Kernels waiting in Voilà's pool (started, not yet handed to a viewer)."""
        ids = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                try:
                    if task.done() and not task.cancelled() and task.exception() is None:
                        ids.add(task.result().get("kernel_id"))
                except Exception:  # noqa: BLE001 - a failed pool task holds no kernel
                    continue
        return ids

    def _later(self, kernel_id: str, delay: float, check) -> None:
        """Run ``check(kernel_id)`` after ``delay`` seconds on the running loop (replaces a pending one)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a doctest, a unit test without one): room is made on demand only
            return
        old = self._timers.pop(kernel_id, None)
        if old is not None:
            old.cancel()
        self._timers[kernel_id] = loop.call_later(max(delay, 0.0), check, kernel_id)

    def _shutdown_soon(self, kernel_id: str, why: str) -> None:
        self.log.info("shutting down kernel %s (%s)", kernel_id, why)
        task = asyncio.ensure_future(self.shutdown_kernel(kernel_id, now=True))
        task.add_done_callback(_retrieve)

    def _handed_out(self, kernel_id: str) -> None:
        """A kernel was given to a viewer: watch that a browser connects within ``connect_grace``."""
        if kernel_id in self._seen or kernel_id not in self._kernels:
            return
        self._taken[kernel_id] = time.monotonic()
        self._later(kernel_id, self.connect_grace, self._check_abandoned)

    def _quiet_since(self, kernel_id: str) -> float:
        """Seconds since the kernel was handed out or last active, whichever is later."""
        kernel = self._kernels.get(kernel_id)
        since = self._taken.get(kernel_id, time.monotonic())
        last = getattr(kernel, "last_activity", None)
        if last is not None:
            from jupyter_server._tz import utcnow

            try:
                since = max(since, time.monotonic() - (utcnow() - last).total_seconds())
            except TypeError:
                pass
        return time.monotonic() - since

    def _abandoned(self, kernel_id: str) -> bool:
        # A kernel still starting or running the dashboard for its viewer is not abandoned, however
        # long it has been quiet: a cold start (a viewer beyond the preheated pool) gets no IOPub
        # message while ipykernel boots or a long cell runs, and with 20 viewers at once on 2 cores
        # that silence lasted over 30 s and every such kernel was shut down under its viewer
        # (BENCHMARKS.md, "Board kernels"). Its clock starts when it is idle (the page delivered).
        state = getattr(self._kernels.get(kernel_id), "execution_state", "idle")
        if state in ("starting", "busy"):
            return False
        return (kernel_id in self._taken and kernel_id not in self._seen and kernel_id in self._kernels
                and self._kernel_connections.get(kernel_id, 0) <= 0
                and self._quiet_since(kernel_id) >= self.connect_grace)

    def _check_abandoned(self, kernel_id: str) -> None:
        self._timers.pop(kernel_id, None)
        if self._closing or kernel_id not in self._taken or kernel_id in self._seen:
            return
        if self._abandoned(kernel_id):
            self._shutdown_soon(kernel_id, f"no browser connected within {self.connect_grace:g} s")
        elif kernel_id in self._kernels:  # still rendering for its viewer: look again later
            self._later(kernel_id, max(self.connect_grace - self._quiet_since(kernel_id), 1.0),
                        self._check_abandoned)

    def _check_left(self, kernel_id: str) -> None:
        self._timers.pop(kernel_id, None)
        if (not self._closing and kernel_id in self._left and kernel_id in self._kernels
                and self._kernel_connections.get(kernel_id, 0) <= 0 and kernel_id not in self._pool_kernel_ids()):
            self._shutdown_soon(kernel_id, f"its viewer left {self.disconnect_grace:g} s ago")

    def notify_connect(self, kernel_id):
        super().notify_connect(kernel_id)
        self._left.pop(kernel_id, None)
        self._seen.add(kernel_id)
        timer = self._timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()

    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        if kernel_id in self._kernels and self._kernel_connections.get(kernel_id, 0) <= 0:
            self._left[kernel_id] = time.monotonic()  # the viewer's last tab on this kernel closed
            if self.disconnect_grace >= 0:
                self._later(kernel_id, self.disconnect_grace, self._check_left)

    def _forget(self, kernel_id: str) -> None:
        for book in (self._left, self._taken):
            book.pop(kernel_id, None)
        self._seen.discard(kernel_id)
        timer = self._timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()

    # ------------------------------------------------------------------ room under the cap

    async def _make_room(self, for_viewer: bool = True) -> bool:
        """Shut down one kernel that holds no viewer: left first, then abandoned, then (viewers only) a pool kernel."""
        pool = self._pool_kernel_ids()
        conns = self._kernel_connections
        gone = sorted((t, kid) for kid, t in self._left.items()
                      if kid in self._kernels and kid not in pool and conns.get(kid, 0) <= 0)
        why = "its viewer left"
        if not gone:
            gone = sorted((self._taken[kid], kid) for kid in list(self._taken)
                          if kid not in pool and self._abandoned(kid))
            why = "no browser connected"
        if not gone and for_viewer and pool:
            for name, tasks in getattr(self, "_pools", {}).items():
                for task in tasks:
                    kid = (task.result().get("kernel_id")
                           if task.done() and not task.cancelled() and task.exception() is None else None)
                    if kid in pool and kid in self._kernels:
                        gone.append((0.0, kid))
                        self._deferred.add(name)  # that notebook's pool refills when room is free again
                        break
                if gone:
                    break
            why = "a viewer needs the place of a preheated kernel"
        if not gone:
            return False
        kid = gone[0][1]
        self._left.pop(kid, None)
        self.log.info("kernel cap %s reached: shutting down kernel %s (%s)", self.max_kernels, kid, why)
        self._making_room += 1  # the place is for the start that asked; deferred refills wait for the next
        try:
            await self.shutdown_kernel(kid, now=True)
        finally:
            self._making_room -= 1
        return True

    def _current_pool(self) -> str | None:
        """The notebook whose pool holds the task running this start (a refill no viewer waits for)."""
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return None
        for name, tasks in getattr(self, "_pools", {}).items():
            if task in tasks:
                return name
        return None

    async def start_kernel(self, *args, **kwargs):
        while self.max_kernels > 0 and self.running_kernels() >= self.max_kernels:
            refill = self._current_pool()  # None: a viewer's start (also a refill a viewer already waits for)
            if await self._make_room(for_viewer=refill is None):
                continue
            if refill is not None and self._current_pool() == refill:
                task = asyncio.current_task()
                self._pools[refill].remove(task)  # never hand a refused refill to a viewer
                task.add_done_callback(_retrieve)
                self._deferred.add(refill)
                self.log.info("kernel cap %s reached: refill of the %s pool waits for room", self.max_kernels, refill)
                raise _RefillDeferred(refill)
            if refill is not None:  # a viewer took this refill while room was being made: its start now
                continue
            origin = self._pool_of.get(asyncio.current_task())
            if origin is not None:  # a viewer waited for this refill and is refused: the pool refills later
                self._deferred.add(origin)
            from tornado import web

            self.log.warning("kernel cap %s reached, all kernels in use: refusing a start", self.max_kernels)
            raise web.HTTPError(503, reason="Too many viewers", log_message=FULL_MESSAGE.format(cap=self.max_kernels))
        # the id is chosen here so that the start is counted once (running_kernels) while it is
        # also jupyter_client's pending kernel
        kwargs["kernel_id"] = wanted = kwargs.get("kernel_id") or self.new_kernel_id()
        self._starting.add(wanted)
        try:
            kid = await super().start_kernel(*args, **kwargs)
        finally:
            self._starting.discard(wanted)
        pool = self._current_pool()
        if pool is None:  # a viewer's kernel (a cold start, or a refill a viewer waits for)
            self._handed_out(kid)
        else:
            self.log.info("kernel %s started for the %s pool", kid, pool)
        return kid

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self._forget(kernel_id)
            self._refill_deferred()

    def remove_kernel(self, kernel_id):
        self._forget(kernel_id)
        return super().remove_kernel(kernel_id)

    def _refill_deferred(self) -> None:
        """Retry deferred pool refills now that a kernel has gone (Voilà's ``fill_if_needed``)."""
        fill = getattr(self, "fill_if_needed", None)
        if self._closing or self._making_room or fill is None or not self._deferred:
            return
        if self.max_kernels > 0 and self.running_kernels() >= self.max_kernels:
            return
        for name in sorted(self._deferred):
            self._deferred.discard(name)
            try:
                fill(notebook_name=name)
            except Exception as e:  # noqa: BLE001 - a pool that cannot refill is not the viewer's problem
                self.log.warning("pool refill of %s failed: %s", name, e)

    async def shutdown_all(self, *args, **kwargs):
        self._closing = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        return await super().shutdown_all(*args, **kwargs)
