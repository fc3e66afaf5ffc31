"""Fork-server kernels: ipykernels forked from a template process that has already imported the libraries.

A fresh ipykernel spends about 1.4 s of CPU importing IPython, ipykernel, pandas, plotly,
statsmodels and the ``evaluation`` package before it executes the first cell of a notebook. The
snapshot runner (:mod:`evaluation.runs`) starts one kernel per notebook, so that cost was paid
once per run. Here a **template process** (``python -m evaluation.forkserver SOCKET``, started by
:class:`ForkServer` with the kernel's own interpreter and the runner's environment) imports
ipykernel and the notebooks' modules once, then ``fork()``\\ s one child per kernel on request. The
child sets up its own session, working folder, environment and ``sys.argv`` and runs
``ipykernel_launcher``'s entry point with the connection file jupyter_client wrote, i.e. it is the
same kernel a ``python -m ipykernel_launcher -f …`` process would be, minus the imports.

Guarantees kept (tests in ``tests/test_forkserver.py``):

* **Fresh state per notebook**: every kernel is a new process forked from a template that has
  only *imported* modules (no notebook code ever runs in the template); a kernel executes one
  notebook and is killed. Module-level caches filled by imports are shared as they would be in
  any kernel that imports the same modules. NumPy's legacy global RNG is reseeded in the child
  (Python's ``random`` reseeds itself after ``fork``).
* **Interrupt, timeout, kill**: :class:`ForkProvisioner` is a jupyter_client
  ``LocalProvisioner`` whose process handle is the forked child: ``SIGINT`` (interrupt), ``SIGTERM``
  and ``SIGKILL`` go to the child's process group exactly as with a ``Popen``'d kernel, and exit
  is observed through a Linux ``pidfd`` (no PID-reuse race). nbclient's timeouts therefore
  behave as before.
* **No orphans**: the template exits when its parent (the runner) dies; forked kernels carry the
  template's PID as ``JPY_PARENT_PID``, so ipykernel's parent poller ends them when the template
  goes away.

Only Linux/POSIX with ``os.pidfd_open`` (Python ≥ 3.9, Linux ≥ 5.3) and a kernelspec whose argv is
``<python> [flags] -m ipykernel_launcher …`` are supported; :func:`supported` says whether a
kernelspec qualifies, and the runner falls back to ordinary kernels otherwise.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["ForkServer", "ForkProvisioner", "supported", "serve"]

_LAUNCHER = "ipykernel_launcher"


def _split_argv(argv: list[str]) -> tuple[list[str], list[str]] | None:
    """(interpreter + flags, kernel arguments) of ``python [flags] -m ipykernel_launcher ARGS``; else None.

    Examples
    --------
    >>> _split_argv(["/py", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    (['/py', '-Xfrozen_modules=off'], ['-f', '{connection_file}'])
    >>> _split_argv(["/usr/bin/R", "--slave"]) is None
    True
    """
    try:
        i = argv.index("-m")
    except ValueError:
        return None
    if i + 1 >= len(argv) or argv[i + 1] != _LAUNCHER:
        return None
    return list(argv[:i]), list(argv[i + 2:])


def supported(kernel_spec) -> bool:
    """Whether kernels of this kernelspec can be forked (Linux pidfd and an ipykernel_launcher argv).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> supported(SimpleNamespace(argv=["/usr/bin/R", "--slave"]))
    False
    """
    return (hasattr(os, "fork") and hasattr(os, "pidfd_open") and sys.platform.startswith("linux")
            and _split_argv(list(getattr(kernel_spec, "argv", []) or [])) is not None)


# --------------------------------------------------------------------------- server (template process)
def _reap(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _import_all(modules: list[str]) -> dict[str, Any]:
    import importlib

    t0, failed = time.perf_counter(), []
    for m in modules:
        try:
            importlib.import_module(m)
        except Exception:  # noqa: BLE001 - `from a import b` lists names that are not modules
            failed.append(m)
    return {"ok": True, "seconds": round(time.perf_counter() - t0, 3), "not_modules": failed}


def _child(req: dict[str, Any], server_pid: int) -> None:
    """In the forked child: become the kernel process described by ``req`` and run ipykernel."""
    os.setsid()  # own process group: interrupt/kill reach the kernel and its subprocesses only
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)
    os.chdir(req["cwd"])
    env = dict(req["env"])
    env["JPY_PARENT_PID"] = str(server_pid)  # ipykernel's parent poller: exit when the template goes
    os.environ.clear()
    os.environ.update(env)
    sys.path[0] = os.getcwd()  # as `python -m` does for the kernel's own folder
    import ipykernel_launcher  # noqa: F401 - its path becomes argv[0], as with `python -m`

    # parent_handle's default was read from the template's environment at import: set it here
    sys.argv = [ipykernel_launcher.__file__, *req["args"], f"--IPKernelApp.parent_handle={server_pid}"]
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # as a freshly started interpreter would be
    code = 0
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(path: str) -> None:
    """Template process main loop: listen on the unix socket ``path`` for one JSON request per line.

    Requests: ``{"op": "import", "modules": [...]}`` (import into the template; reply with the
    seconds spent), ``{"op": "fork", "args": [...], "env": {...}, "cwd": "..."}`` (reply
    ``{"pid": N}``), ``{"op": "ping"}``. The loop ends when the parent process exits.
    """
    parent = os.getppid()
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the runner; we follow it when it exits
    import ipykernel.kernelapp  # noqa: F401 - the kernel itself, imported once for every child
    import ipykernel_launcher  # noqa: F401

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    srv.settimeout(1.0)
    me = os.getpid()
    while os.getppid() == parent:
        try:
            conn, _ = srv.accept()
        except (TimeoutError, socket.timeout, InterruptedError):
            continue
        conn.settimeout(None)
        try:
            with conn, conn.makefile("rwb") as fh:
                line = fh.readline()  # one request per connection
                if not line:
                    continue
                req = json.loads(line)
                op = req.get("op")
                if op == "import":
                    reply = _import_all(list(req.get("modules", [])))
                elif op == "fork":
                    pid = os.fork()
                    if pid == 0:
                        try:
                            srv.close()
                            conn.close()
                        finally:
                            _child(req, me)
                    reply = {"pid": pid}
                else:
                    reply = {"ok": True, "pid": me}
                fh.write((json.dumps(reply) + "\n").encode())
                fh.flush()
        except (OSError, ValueError):
            continue  # the client went away or sent garbage: next request
    srv.close()


# --------------------------------------------------------------------------- client side (runner)
class ForkServer:
    """A template process for one kernelspec, started with the kernel's interpreter and flags.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ForkServer.for_spec(SimpleNamespace(argv=["/usr/bin/R"])) is None  # not an ipykernel spec
    True
    """

    def __init__(self, python_prefix: list[str], start_timeout: float = 120.0):
        self.python_prefix = list(python_prefix)
        self.start_timeout = start_timeout
        self._dir = tempfile.mkdtemp(prefix="evaluation-fork-")
        self.path = str(Path(self._dir) / "s")
        self.imported: set[str] = set()
        self._pending: list[socket.socket] = []
        self.proc = subprocess.Popen([*self.python_prefix, "-m", "evaluation.forkserver", self.path],
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    @classmethod
    def for_spec(cls, kernel_spec, **kw) -> ForkServer | None:
        """A server for this kernelspec, or None when it cannot be forked (:func:`supported`)."""
        if not supported(kernel_spec):
            return None
        prefix, _ = _split_argv(list(kernel_spec.argv))
        return cls(prefix, **kw)

    def _connect(self, timeout: float) -> socket.socket:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"fork server exited with code {self.proc.returncode}")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                return s
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"fork server did not listen within {timeout:.0f} s") from None
                time.sleep(0.02)

    def _request(self, req: dict[str, Any], wait: bool = True) -> dict[str, Any] | None:
        s = self._connect(self.start_timeout)
        s.sendall((json.dumps(req) + "\n").encode())
        if not wait:
            self._pending.append(s)  # the server works on it; later requests queue behind it
            return None
        s.settimeout(self.start_timeout)
        with s, s.makefile("rb") as fh:
            line = fh.readline()
        if not line:
            raise RuntimeError("fork server closed the connection")
        return json.loads(line)

    def preload(self, modules, wait: bool = False) -> None:
        """Import ``modules`` into the template (in the background unless ``wait``)."""
        new = sorted(set(modules) - self.imported)
        if new:
            self._request({"op": "import", "modules": new}, wait=wait)
            self.imported.update(new)

    def fork(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        """Fork a kernel running ``ipykernel_launcher ARGS`` in ``cwd`` with ``env``; its PID."""
        reply = self._request({"op": "fork", "args": list(args), "env": dict(env), "cwd": str(cwd)})
        for s in self._pending:
            s.close()
        self._pending.clear()
        return int(reply["pid"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop the template (kernels already forked are shut down by their managers)."""
        for s in self._pending:
            s.close()
        self._pending.clear()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        shutil.rmtree(self._dir, ignore_errors=True)


class _Forked:
    """``Popen``-like handle of a forked kernel (not our child): pidfd for exit, signals by PID."""

    stdin = stdout = stderr = None
    returncode: int | None = None

    def __init__(self, pid: int):
        self.pid = pid
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None:
            import select

            readable, _, _ = select.select([self._fd], [], [], 0)
            if readable:
                self.returncode = -1  # exit status belongs to the template that reaps it
                os.close(self._fd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


@functools.lru_cache(maxsize=None)
def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """jupyter_client provisioner that forks the kernel from a :class:`ForkServer` template.

        Everything but the launch is ``LocalProvisioner``'s: connection file, ports, signals to the
        process group (``pgid`` = the child's own session), kill, cleanup.
        """

        server: ForkServer | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            split = _split_argv(list(cmd))
            if self.server is None or split is None:
                return await super().launch_kernel(cmd, **kwargs)
            env = kwargs.get("env") or dict(os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            pid = self.server.fork(split[1], env, cwd)
            self.process = _Forked(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            return self.connection_info

    return ForkProvisioner


def __getattr__(name: str):
    if name == "ForkProvisioner":  # built lazily: jupyter_client is imported only when used
        return _provisioner_class()
    raise AttributeError(name)


if __name__ == "__main__":  # pragma: no cover - the template process
    serve(sys.argv[1])
