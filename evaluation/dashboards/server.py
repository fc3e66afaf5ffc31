"""The dashboard server: safe paths, the Voilà launch and ``evaluation dashboard``.

This module knows nothing about the data or the widgets (no import of
:mod:`evaluation.dashboards.views` or :mod:`evaluation.dashboards.apps`): it validates the data
folder, joins paths safely under it and starts standalone Voilà over ``notebooks/dashboards/``.

Security
--------
Dashboard input is never evaluated and never used as a path or as code.

* The data folder comes from the environment variable :data:`DATA_ENV` (``EVALUATION_DATA_DIR``),
  set by the server (:func:`serve`); :func:`resolve_data_dir` refuses ``..`` components, NUL bytes
  and anything that is not an existing directory. Files are opened only through :func:`safe_path`,
  which refuses any path that resolves outside the data folder (also through symlinks).
* Widget values and query-string values are compared against allowlists computed from the loaded
  data (:mod:`evaluation.dashboards.views`: ``allowed_values``, ``check_choice``,
  ``validate_filters``, ``parse_query``); anything else raises :class:`NotAllowedError`.
* Voilà itself refuses ``execute_request`` from viewers; sources are stripped and tracebacks hidden
  (:func:`voila_arguments`).

Serving
-------
``evaluation dashboard [--evaluator] [--port 8866] [--token SECRET] [--data data_samples]
[--max-kernels 8] [--cull-idle 600] [--disconnect-grace 5]`` (``make dashboard``) runs standalone Voilà (≥ 0.5.6,
CVE-2024-30265 fixed) on **127.0.0.1** over one door's dashboards only (:func:`door_root`: the board
door serves the notebooks marked ``board``, the evaluator door with ``--evaluator`` the others, on
port 8867 and always with a token), with::

    --no-browser --Voila.ip=127.0.0.1 --port=8866
    --strip_sources=True --show_tracebacks=False
    --VoilaExecutor.timeout=120                       # seconds per cell
    --MappingKernelManager.cull_idle_timeout=600 --MappingKernelManager.cull_interval=60
    --VoilaConfiguration.multi_kernel_manager_class=evaluation.dashboards.kernels.CappedKernelManager
    --CappedKernelManager.max_kernels=8                # kernels at once, pool included
    --CappedKernelManager.disconnect_grace=5           # a closed tab's kernel is shut down 5 s later
    --CappedKernelManager.connect_grace=120            # a page nobody's browser connected to: 120 s
    --VoilaConfiguration.allow_template_override=NO --VoilaConfiguration.allow_theme_override=NO
    --preheat_kernel=True --pool_size=2               # kernels that already ran the notebook
    --VoilaKernelManager.fill_delay=10                # refill the pool 10 s after a viewer took a kernel
    --token=<token>                                   # only when --token is given

Every viewer gets a kernel of its own. With preheated kernels the notebook (imports, data loading,
first render) has already run when the viewer arrives, so time-to-interactive is the time to send
the widgets, not the time to import pandas and read the files. Pool kernels are never culled;
the kernel of a closed tab is shut down 5 s after its websocket closed, a kernel no browser
connected to 30 s after its page was delivered, and any kernel after 10 minutes idle
(:mod:`evaluation.dashboards.kernels`). Voilà runs in its own process group; SIGTERM/SIGINT to
``evaluation dashboard`` end the group (:func:`stop`), kernels included.

Before the board door starts, the server makes sure the protected table set of the data folder
exists as a Parquet file (:func:`evaluation.dashboards.load.ensure_tableset`: a private cache file,
or the latest snapshot's ``tabelluppsattning.parquet`` when it was made from the same files, else
computed in the server process) and passes its path in :data:`TABLESET_ENV`
(``EVALUATION_TABELLUPPSATTNING``): board kernels read that file, never participant rows.

The environment passed to the kernels: ``EVALUATION_DATA_DIR`` (absolute, validated),
``EVALUATION_SNAPSHOTS_DIR`` (default ``snapshots``; for trends across snapshots, read with
:func:`evaluation.snapshots.history`) and the pseudonymisation key settings of the server's
environment. Without a pseudonymisation key (run ``evaluation key --init`` once; ``make demo``
does), the Söderå case-system export cannot be imported: the dashboards then show Norrdal only
and say so in Swedish.

Behind a reverse proxy (for a board)
------------------------------------
Keep Voilà on 127.0.0.1 and let nginx terminate TLS and authenticate; the kernels talk over
websockets, so the proxy must pass the ``Upgrade`` header. Serve under a prefix with
``--base_url``, e.g. ``evaluation dashboard --port 8866 --token "$TOKEN"`` plus Voilà's
``--base_url=/utvardering/`` (then use ``location /utvardering/``)::

    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 443 ssl;
        server_name utvardering.example.se;
        ssl_certificate     /etc/letsencrypt/live/utvardering.example.se/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/utvardering.example.se/privkey.pem;
        auth_basic           "Styrelsen";                # or your single sign-on
        auth_basic_user_file /etc/nginx/styrelse.htpasswd;
        location / {
            proxy_pass http://127.0.0.1:8866;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;       # websockets for the kernels
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 86400;                      # keep idle websockets open
            proxy_buffering off;
        }
    }

Only the dashboards folder is served; the data folder is never reachable over HTTP (Voilà's
static-file allowlist serves images only). Source: Voilà ``docs/deploy.md`` (nginx section) and
``docs/customize.md`` (preheated kernels); shared/tech/NOTES.md §2.

Environment variables
---------------------
:data:`DATA_ENV` ``EVALUATION_DATA_DIR``, :data:`SNAPSHOTS_ENV` ``EVALUATION_SNAPSHOTS_DIR``,
:data:`REFERENCE_ENV` ``EVALUATION_REFERENCE_DATE`` (extract date, ``YYYY-MM-DD``; default: the
latest date in the episodes and events).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..errors import EvaluationError

__all__ = [
    "DATA_ENV", "SNAPSHOTS_ENV", "REFERENCE_ENV", "TABLESET_ENV", "DASHBOARDS", "DashboardError", "UnsafePathError",
    "NotAllowedError", "resolve_data_dir", "safe_path", "notebooks_dir", "voila_arguments", "server_env",
    "free_port", "serve", "wait_until_ready", "cli", "DOORS", "notebook_door", "door_root", "stop",
]

DATA_ENV = "EVALUATION_DATA_DIR"
SNAPSHOTS_ENV = "EVALUATION_SNAPSHOTS_DIR"
REFERENCE_ENV = "EVALUATION_REFERENCE_DATE"
#: The protected table set (Parquet) the board kernels read (:func:`evaluation.dashboards.load.ensure_tableset`).
TABLESET_ENV = "EVALUATION_TABELLUPPSATTNING"
DASHBOARDS = ("styrelse", "utvarderare", "samhallsekonomi")


class DashboardError(EvaluationError, RuntimeError):
    """A dashboard cannot start; the message says what to do."""


class UnsafePathError(DashboardError, ValueError):
    """A path (environment variable, query string) points outside the allowed folder."""


class NotAllowedError(DashboardError, ValueError):
    """A filter value is not in the allowlist computed from the data."""



# --------------------------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------------------------

def resolve_data_dir(value: str | os.PathLike | None = None, env: str = DATA_ENV,
                     default: str | os.PathLike | None = None) -> Path:
    """The data folder, validated: an existing directory given without ``..`` components.

    Parameters
    ----------
    value : path-like, optional
        Explicit folder; when None the environment variable ``env`` is read, then ``default``.
    env : str
        Environment variable set by the server (:data:`DATA_ENV`).
    default : path-like, optional
        Used when neither is given (notebooks pass ``"../../data_samples"``).

    Returns
    -------
    Path
        The absolute, resolved folder.

    Raises
    ------
    UnsafePathError
        A NUL byte or a ``..`` component (path traversal).
    DashboardError
        Nothing given, or not an existing directory.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> resolve_data_dir(d) == Path(d).resolve()
    True
    >>> resolve_data_dir(d + "/../etc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.dashboards.server.UnsafePathError: Datamappen får inte innehålla '..' ...
    """
    raw = value if value is not None else (os.environ.get(env) or default)
    if raw is None or str(raw).strip() == "":
        raise DashboardError(f"Ingen datamapp angiven: sätt {env} eller starta med `evaluation dashboard --data MAPP`.")
    text = os.fspath(raw)
    if "\x00" in text:
        raise UnsafePathError("Datamappen innehåller ett ogiltigt tecken (NUL).")
    if ".." in Path(text).parts:
        raise UnsafePathError(f"Datamappen får inte innehålla '..' ({text!r}); ange en mapp utan '..'.")
    p = Path(text).expanduser().resolve()
    if not p.is_dir():
        raise DashboardError(f"Datamappen {str(p)!r} finns inte eller är ingen mapp.")
    return p


def safe_path(root: str | os.PathLike, *parts: str) -> Path:
    """Join ``parts`` under ``root`` and refuse anything that resolves outside it.

    Absolute parts, ``..`` components, NUL bytes and symlinks leading out of ``root`` raise
    :class:`UnsafePathError`. The file need not exist.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> safe_path(d, "scenarier", "bas.yaml").name
    'bas.yaml'
    >>> safe_path(d, "../../etc/passwd")
    Traceback (most recent call last):
    ...
    evaluation.dashboards.server.UnsafePathError: Sökvägen ligger utanför datamappen: '../../etc/passwd'
    """
    base = Path(root).resolve()
    rel = "/".join(parts)
    if "\x00" in rel or any(Path(p).is_absolute() for p in parts) or ".." in Path(rel).parts:
        raise UnsafePathError(f"Sökvägen ligger utanför datamappen: {rel!r}")
    p = (base / rel).resolve()
    if not p.is_relative_to(base):
        raise UnsafePathError(f"Sökvägen ligger utanför datamappen: {rel!r}")
    return p



# --------------------------------------------------------------------------------------------
# server
# --------------------------------------------------------------------------------------------

def notebooks_dir() -> Path:
    """``notebooks/dashboards/`` of the repository (the only folder Voilà serves).

    Examples
    --------
    >>> notebooks_dir().name
    'dashboards'
    """
    return Path(__file__).resolve().parents[2] / "notebooks" / "dashboards"


#: The two doors: which dashboards each serves (a notebook's ``metadata.evaluation.door``).
DOORS = ("board", "evaluator")


def notebook_door(path: str | os.PathLike) -> str:
    """The door of a dashboard notebook: ``metadata.evaluation.door``; unmarked notebooks are ``evaluator``.

    The board door serves only notebooks explicitly marked ``board`` (styrelse, samhällsekonomi):
    a new notebook is an evaluator's until someone decides a board may see it.

    Examples
    --------
    >>> notebook_door(notebooks_dir() / "styrelse.ipynb"), notebook_door(notebooks_dir() / "utvarderare.ipynb")
    ('board', 'evaluator')
    """
    import json

    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return "evaluator"
    door = (meta.get("evaluation") or {}).get("door", "evaluator")
    return door if door in DOORS else "evaluator"


def door_root(door: str = "board", source: str | os.PathLike | None = None) -> Path:
    """A fresh folder (mode 700) holding only the dashboards of one door: the root Voilà serves.

    Voilà serves a whole folder tree; copying the door's notebooks (and the non-notebook assets of
    ``notebooks/dashboards/``) into a folder of their own means the board door has no path to the
    evaluator dashboard at all, whatever URL is asked. The caller removes the folder when Voilà
    stops (:func:`cli` does).

    Examples
    --------
    >>> import shutil
    >>> r = door_root("board"); sorted(p.name for p in r.glob("*.ipynb")); shutil.rmtree(r)
    ['samhallsekonomi.ipynb', 'styrelse.ipynb']
    """
    import shutil
    import tempfile

    if door not in DOORS:
        raise DashboardError(f"okänd dörr {door!r}; välj {' eller '.join(DOORS)}")
    src = Path(source or notebooks_dir())
    root = Path(tempfile.mkdtemp(prefix=f"evaluation-{door}-"))
    os.chmod(root, 0o700)
    for p in sorted(src.iterdir()):
        if p.name.startswith("."):
            continue
        if p.suffix == ".ipynb":
            if notebook_door(p) == door:
                shutil.copy2(p, root / p.name)
        elif p.is_file():
            shutil.copy2(p, root / p.name)
    return root


def voila_arguments(port: int = 8866, token: str | None = None, timeout: int = 120, pool_size: int = 2,
                    cull_idle_timeout: int = 600, cull_interval: int = 60, base_url: str | None = None,
                    fill_delay: float = 10, root: str | os.PathLike | None = None,
                    max_kernels: int = 8, disconnect_grace: float = 5, connect_grace: float = 120) -> list[str]:
    """Voilà command-line arguments (without the executable) for serving the dashboards safely.

    ``fill_delay`` (seconds) is how long Voilà waits before refilling the pool of preheated kernels
    after a viewer took one. Refilling runs the whole dashboard in a new kernel; with 0 it competes
    for the CPU with the viewer who just arrived (time to interactive 3.0–3.6 s on 2 cores, against
    2.3–2.7 s with 10; ``BENCHMARKS.md``). The cost: more than ``pool_size`` viewers within
    ``fill_delay`` seconds get a kernel that still has to run the notebook.

    ``root`` is the folder Voilà serves (default :func:`notebooks_dir`; :func:`serve` passes the
    door's own folder, :func:`door_root`). ``max_kernels`` caps the kernels running at once, pool
    included (:class:`evaluation.dashboards.kernels.CappedKernelManager`; 0: no cap);
    ``disconnect_grace`` (seconds, default 5) is how long the kernel of a closed tab lives on (a
    websocket that reconnects within it keeps its kernel), ``connect_grace`` (seconds, default 120)
    how long a kernel handed to a viewer, once idle, waits for the browser to connect (with 20
    viewers at once on 2 cores a browser connected up to ~2 minutes after its page; 30 s shut
    kernels down under their viewers);
    ``cull_idle_timeout`` (seconds, default 600) shuts down kernels idle that long.

    Examples
    --------
    >>> args = voila_arguments(9000)
    >>> "--strip_sources=True" in args and "--Voila.ip=127.0.0.1" in args and "--port=9000" in args
    True
    >>> args[-1]  # no token on 127.0.0.1 unless one is given
    '--token='

    """
    args = [
        str(root or notebooks_dir()), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={int(port)}",
        "--Voila.port_retries=0",
        "--strip_sources=True", "--show_tracebacks=False",
        f"--VoilaExecutor.timeout={int(timeout)}",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--VoilaConfiguration.allow_template_override=NO", "--VoilaConfiguration.allow_theme_override=NO",
        "--template=styrelse", "--theme=light", "--HTMLExporter.language_code=sv", "--classic-tree",
        "--VoilaConfiguration.multi_kernel_manager_class=evaluation.dashboards.kernels.CappedKernelManager",
        f"--CappedKernelManager.max_kernels={int(max_kernels)}",
        f"--CappedKernelManager.disconnect_grace={float(disconnect_grace):g}",
        f"--CappedKernelManager.connect_grace={float(connect_grace):g}",
    ]
    if pool_size > 0:
        args += ["--preheat_kernel=True", f"--pool_size={int(pool_size)}",
                 f"--VoilaKernelManager.fill_delay={float(fill_delay):g}"]
    if base_url:
        args.append(f"--base_url={base_url}")
    args.append(f"--token={token}" if token else "--token=")
    return args


def server_env(data_dir: str | os.PathLike, snapshots_dir: str | os.PathLike | None = None,
               base: dict | None = None) -> dict[str, str]:
    """Environment for the Voilà server and its kernels: validated data folder, snapshots folder.

    Examples
    --------
    >>> import tempfile
    >>> env = server_env(tempfile.mkdtemp(), base={})
    >>> sorted(k for k in env if k.startswith("EVALUATION_"))
    ['EVALUATION_DATA_DIR', 'EVALUATION_SNAPSHOTS_DIR']
    """
    env = dict(os.environ if base is None else base)
    env[DATA_ENV] = str(resolve_data_dir(data_dir))
    snap = snapshots_dir if snapshots_dir is not None else env.get(SNAPSHOTS_ENV, "snapshots")
    env[SNAPSHOTS_ENV] = str(Path(snap).resolve())
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # the workbench's Voilà template (evaluation/data/jupyter/voila/templates/styrelse): no CDN requests
    own = str(Path(__file__).resolve().parents[1] / "data" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join([own, *([env["JUPYTER_PATH"]] if env.get("JUPYTER_PATH") else [])])
    return env


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for tests).

    Examples
    --------
    >>> 1024 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int = 8866, token: str | None = None, data_dir: str | os.PathLike = "data_samples",
          snapshots_dir: str | os.PathLike | None = None, pool_size: int = 2, timeout: int = 120,
          door: str = "board", max_kernels: int = 8, cull_idle_timeout: int = 600,
          disconnect_grace: float = 5, connect_grace: float = 120, **popen_kwargs) -> subprocess.Popen:
    """Start Voilà over one door's dashboards in a subprocess (see module docstring).

    Voilà runs in a process group of its own (``start_new_session``), so that :func:`stop` can end
    it together with its kernels; the served folder is :func:`door_root` (``proc.door_root``).

    Returns
    -------
    subprocess.Popen
        Stop it with :func:`stop`; :func:`wait_until_ready` waits for the HTTP port.

    """
    root = door_root(door)
    cmd = [sys.executable, "-m", "voila", *voila_arguments(port, token, timeout=timeout, pool_size=pool_size,
                                                           root=root, max_kernels=max_kernels,
                                                           cull_idle_timeout=cull_idle_timeout,
                                                           disconnect_grace=disconnect_grace,
                                                           connect_grace=connect_grace)]
    env = server_env(data_dir, snapshots_dir)
    if door == "board":  # board kernels read the protected table set, never participant rows
        from .load import ensure_tableset

        env[TABLESET_ENV] = str(ensure_tableset(env[DATA_ENV], env[SNAPSHOTS_ENV]))
    popen_kwargs.setdefault("start_new_session", True)
    proc = subprocess.Popen(cmd, env=env, cwd=str(root), **popen_kwargs)
    proc.door_root = root
    return proc


def stop(proc: subprocess.Popen, grace: float = 10.0) -> int:
    """Stop Voilà and every kernel it started: SIGTERM to its process group, SIGKILL after ``grace`` s.

    Kernels are children of Voilà in the same process group (:func:`serve` starts a new session),
    so none survives its server. The door's folder is removed. Returns Voilà's exit code.
    """
    import shutil
    import signal

    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = None
    own = os.getpgid(0)
    try:  # kernels may run in sessions of their own (jupyter_client): remember them all first
        import psutil

        family = psutil.Process(proc.pid).children(recursive=True)
    except Exception:  # noqa: BLE001 - gone already, or no psutil
        family = []
    try:
        if pgid is not None and pgid != own:
            os.killpg(pgid, signal.SIGTERM)
        elif proc.poll() is None:
            proc.terminate()
        try:
            code = proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            if pgid is not None and pgid != own:
                os.killpg(pgid, signal.SIGKILL)
            else:
                proc.kill()
            code = proc.wait(timeout=grace)
        if pgid is not None and pgid != own:
            try:  # kernels that outlived Voilà's own shutdown
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if family:
            import psutil

            for p in family:
                try:
                    p.terminate()
                except psutil.Error:
                    pass
            _gone, alive = psutil.wait_procs(family, timeout=grace)
            for p in alive:
                try:
                    p.kill()
                except psutil.Error:
                    pass
    finally:
        root = getattr(proc, "door_root", None)
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
    return code


def wait_until_ready(port: int, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Block until something answers on ``127.0.0.1:port`` (raise :class:`DashboardError` after ``timeout``).

    Examples
    --------
    >>> wait_until_ready(free_port(), timeout=0.5)  # nothing listens there  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.dashboards.server.DashboardError: Voilà svarade inte på port ... inom 0 s.
    """
    import urllib.request

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise DashboardError(f"Voilà avslutades med kod {proc.returncode} innan den svarade.")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (e.g. 403 without a token)
        except OSError:
            time.sleep(0.25)
    raise DashboardError(f"Voilà svarade inte på port {port} inom {timeout:.0f} s.")


def cli(args) -> int:
    """``evaluation dashboard [--evaluator] [--port] [--token] [--data] [--max-kernels] [--pool-size] [--cull-idle] [--disconnect-grace]``.

    Two doors: without ``--evaluator`` the **board door** serves only the board dashboards
    (styrelse, samhällsekonomi); with ``--evaluator`` the **evaluator door** serves the evaluator
    dashboard (quotes, data quality, file names) on its own port (default 8867) and always with a
    token of its own (a random one is made and printed when none is given). SIGTERM and SIGINT
    stop Voilà and all its kernels (:func:`stop`).

    Examples
    --------
    >>> import argparse, contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     code = cli(argparse.Namespace(data="/no/such/folder", port=8866, token=None))
    >>> code, err.getvalue().startswith("Datamappen")
    (2, True)
    """
    import secrets
    import signal

    evaluator = bool(getattr(args, "evaluator", False))
    door = "evaluator" if evaluator else "board"
    port = getattr(args, "port", None) or (8867 if evaluator else 8866)
    token = getattr(args, "token", None)
    if evaluator and not token:
        token = secrets.token_urlsafe(24)
    try:
        data_dir = resolve_data_dir(args.data)
    except DashboardError as e:
        print(e, file=sys.stderr)
        return 2
    label = "Utvärderarens instrumentpanel" if evaluator else "Styrelsens instrumentpaneler"
    print(f"{label}: http://127.0.0.1:{port}/" + (f"?token={token}" if token else "")
          + f"  (data: {data_dir}; avsluta med Ctrl-C)", flush=True)
    grace = getattr(args, "disconnect_grace", None)
    pool = getattr(args, "pool_size", None)
    try:
        proc = serve(port, token, data_dir, door=door, max_kernels=int(getattr(args, "max_kernels", 8) or 0),
                     pool_size=2 if pool is None else max(0, int(pool)),
                     cull_idle_timeout=int(getattr(args, "cull_idle", 600) or 600),
                     disconnect_grace=5 if grace is None else float(grace))
    except DashboardError as e:  # e.g. the protected table set could not be computed
        print(e, file=sys.stderr)
        return 2
    stopping = {"signal": None}

    def on_signal(signum, _frame):
        stopping["signal"] = signum
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return proc.wait()
    except KeyboardInterrupt:
        code = stop(proc)
        return 0 if stopping["signal"] in (signal.SIGTERM, signal.SIGINT) else code
    finally:
        if proc.poll() is None or getattr(proc, "door_root", None) is not None and proc.door_root.exists():
            stop(proc)
        for s, h in previous.items():
            signal.signal(s, h)
