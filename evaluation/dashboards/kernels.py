"""A kernel manager with a cap: at most ``max_kernels`` dashboard kernels at a time.

Voilà gives every page view a kernel of its own (about 280 MB each with the dashboards' imports and
data; ``BENCHMARKS.md``) and keeps it until it is culled. Voilà and jupyter_server have no limit,
so a handful of page views can exhaust a small server. :class:`CappedKernelManager` is passed to
Voilà as ``VoilaConfiguration.multi_kernel_manager_class`` (Voilà wraps it into its preheating
kernel manager, so the cap counts the preheated pool too):

* before a kernel is started when ``max_kernels`` are running, the kernel whose viewer left
  longest ago (a browser was connected and all its connections have closed: a closed tab) is shut
  down to make room, then a kernel no browser has connected to within ``connect_grace`` seconds
  of its start (a page fetched by a script, a tab closed while loading); a kernel still loading for
  a viewer, and the preheated pool, are never taken;
* when every kernel is in use, the start is refused with HTTP 503 and a Swedish message ("För många
  samtidiga besökare …"): the viewer sees why and can reload later; nothing is silently queued.

Idle kernels are also culled by jupyter_server's culler (``cull_idle_timeout``, default 600 s in
:func:`evaluation.dashboards.server.voila_arguments`).
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer

__all__ = ["CappedKernelManager", "FULL_MESSAGE"]

FULL_MESSAGE = ("För många samtidiga besökare på instrumentpanelen just nu (högst {cap} åt gången). "
                "Försök igen om en stund.")


class CappedKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` that never runs more than ``max_kernels`` kernels.

    Examples
    --------
    >>> CappedKernelManager.max_kernels.default_value
    8
    """

    max_kernels = Integer(8, config=True, help="Most kernels running at the same time (pool included).")
    connect_grace = Integer(90, config=True, help="Seconds a new kernel may wait for its browser before it "
                                                  "counts as abandoned when room is needed.")

    def _pool_kernel_ids(self) -> set:
        ids = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                try:
                    if task.done() and not task.cancelled() and task.exception() is None:
                        ids.add(task.result().get("kernel_id"))
                except Exception:  # noqa: BLE001 - a failed pool task holds no kernel
                    continue
        return ids

    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        if self._kernel_connections.get(kernel_id, 0) <= 0:
            import time

            self._left = getattr(self, "_left", {})
            self._left[kernel_id] = time.monotonic()  # the viewer's last tab on this kernel closed

    def notify_connect(self, kernel_id):
        super().notify_connect(kernel_id)
        getattr(self, "_left", {}).pop(kernel_id, None)
        self._seen = getattr(self, "_seen", set())
        self._seen.add(kernel_id)

    def _running(self) -> int:
        return len(self._kernels) + len(getattr(self, "_pending_kernels", {}) or {}) + getattr(self, "_starting", 0)

    async def _make_room(self) -> bool:
        """Shut down the kernel whose viewer left longest ago (pool kernels and loading kernels excepted)."""
        pool = self._pool_kernel_ids()
        conns = getattr(self, "_kernel_connections", {})
        left = getattr(self, "_left", {})
        gone = sorted((t, kid) for kid, t in left.items()
                      if kid in self._kernels and kid not in pool and conns.get(kid, 0) <= 0)
        if not gone:  # kernels whose browser never came
            import time

            now, seen, started = time.monotonic(), getattr(self, "_seen", set()), getattr(self, "_started", {})
            gone = sorted((t, kid) for kid, t in started.items()
                          if kid in self._kernels and kid not in pool and kid not in seen
                          and conns.get(kid, 0) <= 0 and now - t > self.connect_grace)
        if not gone:
            return False
        kid = gone[0][1]
        left.pop(kid, None)
        self.log.info("kernel cap %s reached: shutting down kernel %s (its viewer left)", self.max_kernels, kid)
        await self.shutdown_kernel(kid, now=True)
        return True

    async def start_kernel(self, *args, **kwargs):
        if self.max_kernels > 0:
            while self._running() >= self.max_kernels:
                if not await self._make_room():
                    from tornado import web

                    self.log.warning("kernel cap %s reached, all kernels in use: refusing a start", self.max_kernels)
                    raise web.HTTPError(503, reason="Too many viewers",
                                        log_message=FULL_MESSAGE.format(cap=self.max_kernels))
        import time

        self._starting = getattr(self, "_starting", 0) + 1
        try:
            kid = await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1
        self._started = getattr(self, "_started", {})
        self._started[kid] = time.monotonic()
        return kid
