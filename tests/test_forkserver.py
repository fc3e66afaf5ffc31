"""Fork-server kernels (evaluation.forkserver): the guarantees of an ordinary kernel, without its imports.

Each test forks real ipykernels from one template process (module-scoped pool) and checks what a
notebook run relies on: a fresh namespace per kernel, the notebook's working folder, interrupt,
kill and the template's modules already imported. No timing is asserted (speed: ``make bench``).
"""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from evaluation import forkserver, runs

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"),
                                                  reason="fork-server kernels need Linux pidfds")]

MODULES = ("pandas", "evaluation.disclosure")


@pytest.fixture(scope="module")
def pool():
    p = runs.KernelPool(runs.KERNEL_NAME, fork=True)
    yield p
    p.close()


def _client(km):
    kc = km.blocking_client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return kc


def _run(kc, code: str, timeout: float = 60) -> dict:
    """Execute ``code``; return {'stdout': ..., 'status': ..., 'ename': ...}."""
    out: list[str] = []
    reply = kc.execute_interactive(code, timeout=timeout,
                                   output_hook=lambda m: out.append(m["content"].get("text", ""))
                                   if m["msg_type"] == "stream" else None)
    return {"stdout": "".join(out), "status": reply["content"]["status"], "ename": reply["content"].get("ename")}


def _stop(km) -> None:
    from jupyter_core.utils import run_sync

    run_sync(km.shutdown_kernel)(now=True)


def test_forked_kernel_runs_in_its_folder_with_the_template_imports_and_a_fresh_namespace(pool, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    km = pool.acquire(str(tmp_path / "a"), MODULES, prestart_next=True)
    assert type(km.provisioner).__name__ == "ForkProvisioner"
    kc = _client(km)
    try:
        res = _run(kc, "import os, sys\nleft_behind = 42\nprint(os.getcwd(), 'pandas' in sys.modules, os.getpid(), os.getppid())")
        cwd, has_pandas, pid, ppid = res["stdout"].split()
        assert cwd == str(tmp_path / "a")
        assert has_pandas == "True", "the template imported pandas before forking"
        assert int(pid) == km.provisioner.pid and int(ppid) == pool._server.proc.pid
    finally:
        kc.stop_channels()
        _stop(km)
    # the next kernel (same template, other folder) knows nothing of the first one's variables
    km2 = pool.acquire(str(tmp_path / "b"), MODULES, prestart_next=False)
    kc2 = _client(km2)
    try:
        res = _run(kc2, "left_behind")
        assert res["status"] == "error" and res["ename"] == "NameError"
        res = _run(kc2, "import os\nprint(os.getcwd(), os.getpid())")
        cwd2, pid2 = res["stdout"].split()
        assert cwd2 == str(tmp_path / "b") and int(pid2) != int(pid)
    finally:
        kc2.stop_channels()
        _stop(km2)


def test_interrupt_reaches_a_forked_kernel_and_kill_ends_it(pool, tmp_path):
    from jupyter_core.utils import run_sync

    km = pool.acquire(str(tmp_path), MODULES, prestart_next=False)
    kc = _client(km)
    try:
        # stop_on_error=False: otherwise ipykernel aborts the requests that reach it while it is still
        # handling this cell's error (under load that window caught the next cell: status "aborted")
        msg_id = kc.execute("import time\ntime.sleep(60)", stop_on_error=False)
        time.sleep(1.0)
        run_sync(km.interrupt_kernel)()
        while True:
            reply = kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        # the kernel survives an interrupt: it executes the next cell and replies ok (the stream message of
        # the first cell after a SIGINT can be lost in ipykernel's output flush under load: ask twice)
        after = _run(kc, "print(1 + 1)")
        assert after["status"] == "ok", "the kernel survives an interrupt"
        if not after["stdout"].strip():
            after = _run(kc, "print(1 + 1)")
        assert after["stdout"].strip() == "2", "the kernel survives an interrupt"
        pid = km.provisioner.pid
    finally:
        kc.stop_channels()
        _stop(km)
    assert not run_sync(km.is_alive)()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.1)  # the template reaps it
    assert not os.path.exists(f"/proc/{pid}")


def test_kernels_do_not_outlive_the_template(tmp_path):
    # a template whose parent (this test's pool) goes away takes its kernels with it
    p = runs.KernelPool(runs.KERNEL_NAME, fork=True)
    km = p.acquire(str(tmp_path), ("json",), prestart_next=False)
    pid, server = km.provisioner.pid, p._server
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.2)
    alive = os.path.exists(f"/proc/{pid}") and "zombie" not in open(f"/proc/{pid}/status").read()
    p.close()
    assert not alive, "a forked kernel must exit when its template dies (ipykernel parent poller)"


def test_a_kernelspec_that_is_not_ipykernel_is_not_forked():
    from types import SimpleNamespace

    assert forkserver.supported(SimpleNamespace(argv=["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "x"]))
    assert not forkserver.supported(SimpleNamespace(argv=["/usr/lib/R/bin/R", "--slave", "-f", "x"]))
    assert not forkserver.supported(SimpleNamespace(argv=["/usr/bin/python3", "-m", "other_kernel", "-f", "x"]))
