"""Execute the analysis notebooks headless and keep executed HTML copies.

    python -m govopen.run_notebooks [--out reports] [--data data/processed] [--lang en zh]
                                    [NAME ...]

Runs every ``notebooks/*.ipynb`` (or those whose names start with one of
``NAME``) in order, top to bottom, with a Jupyter kernel that is *this*
interpreter (so the project's virtualenv, whatever kernels the machine has
installed), from the ``notebooks/`` folder so that their relative paths work.
Parameters are injected after the cell tagged ``parameters`` (the papermill
convention): ``out_dir`` always, ``data_dir``/``raw_dir``/``lang`` when given.
Figures and tables go where the notebooks put them (``<out>/figures``,
``<out>/tables``, each file suffixed with its language, ``_en`` or ``_zh``); executed copies go
to ``<out>/notebooks/<name>.html`` (``<name>.<lang>.html`` when several languages
are run: each notebook then runs once per language). ``reports/`` is the default
because pip's setuptools writes ``build/`` (``build/lib``) when it installs.

The notebooks in ``notebooks/`` are only read, never written: they stay without
outputs. Exits 1, naming them, when a notebook fails (the others still run, and
the failing one's HTML shows the error).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "govopen-python"


@dataclass
class Outcome:
    """What running one notebook gave: time, HTML copy, error, stderr outputs."""

    name: str
    seconds: float
    html: Path | None
    error: str | None = None
    stderr: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def notebooks(folder: Path = NOTEBOOKS, names: list[str] | None = None) -> list[Path]:
    """The notebooks of ``folder`` in order (by file name), optionally filtered by prefix."""
    found = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    if names:
        found = [p for p in found if any(p.name.startswith(n) or p.stem == n for n in names)]
    return found


def parameter_source(params: dict[str, object]) -> str:
    """Python assignments for the injected-parameters cell.

    Example:
        >>> print(parameter_source({"lang": "zh", "out_dir": "/tmp/b"}))
        # Parameters injected by govopen.run_notebooks
        lang = 'zh'
        out_dir = '/tmp/b'
    """
    lines = ["# Parameters injected by govopen.run_notebooks"]
    lines += [f"{key} = {value!r}" for key, value in params.items()]
    return "\n".join(lines)


def inject_parameters(nb, params: dict[str, object]):
    """Insert a cell with ``params`` after the cell tagged ``parameters`` (or first)."""
    import nbformat

    if not params:
        return nb
    cell = nbformat.v4.new_code_cell(parameter_source(params))
    cell.metadata["tags"] = ["injected-parameters"]
    at = 0
    for i, existing in enumerate(nb.cells):
        if "parameters" in existing.get("metadata", {}).get("tags", []):
            at = i + 1
            break
    nb.cells.insert(at, cell)
    return nb


def kernel_manager(spec_dir: Path):
    """A kernel manager whose kernel is ``sys.executable -m ipykernel_launcher``.

    The kernel imports the same ``govopen`` as this process (its folder goes first
    on ``PYTHONPATH``), installed or not.
    """
    import os

    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    package_root = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    write_kernel_spec(path=str(spec_dir / KERNEL_NAME), overrides={
        "display_name": f"govopen ({sys.executable})",
        "env": {"PYTHONPATH": path, "JUPYTER_PLATFORM_DIRS": "1"}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"])
    specs = KernelSpecManager(kernel_dirs=[str(spec_dir)])
    return AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)


def execute(path: Path, out: Path, params: dict[str, object] | None = None,
            timeout: int = 900, suffix: str = "") -> Outcome:
    """Run one notebook; write ``out/notebooks/<stem><suffix>.html``; never touch ``path``."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbconvert import HTMLExporter

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, dict(params or {}))
    start = time.perf_counter()
    error = None
    with tempfile.TemporaryDirectory() as tmp:
        km = kernel_manager(Path(tmp))
        client = NotebookClient(nb, timeout=timeout, km=km,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            # cleanup_kc: shut the kernel down and close its channels now (nbclient does
            # so by itself only for kernel managers it made)
            client.execute(cleanup_kc=True)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            error = str(exc)
        except Exception as exc:  # a broken kernel or notebook must be reported too
            error = f"{type(exc).__name__}: {exc}"
        finally:
            km.context.destroy(linger=0)
    seconds = time.perf_counter() - start
    html_dir = Path(out) / "notebooks"
    html_dir.mkdir(parents=True, exist_ok=True)
    html = html_dir / f"{path.stem}{suffix}.html"
    body, _ = HTMLExporter().from_notebook_node(nb)
    html.write_text(body, encoding="utf-8")
    stderr = [str(o.get("text", "")) for cell in nb.cells for o in cell.get("outputs", [])
              if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    return Outcome(path.stem, seconds, html, error, stderr)


def run(folder: Path = NOTEBOOKS, out: Path = ROOT / "reports", names: list[str] | None = None,
        data: Path | None = None, raw: Path | None = None,
        lang: str | Sequence[str] | None = None, log: Callable[..., object] = print
        ) -> list[Outcome]:
    """Execute the notebooks of ``folder`` in order; return one :class:`Outcome` each.

    ``lang`` is one figure language (``en``, ``zh``) or several: each notebook
    then runs once per language, in the order given.
    """
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    params: dict[str, object] = {"out_dir": str(out)}
    if data is not None:
        params["data_dir"] = str(Path(data).resolve())
    if raw is not None:
        params["raw_dir"] = str(Path(raw).resolve())
    langs: list[str | None] = [lang] if lang is None or isinstance(lang, str) else list(lang)
    outcomes = []
    for path, language in ((p, x) for p in notebooks(folder, names) for x in langs):
        run_params = dict(params) if language is None else {**params, "lang": language}
        suffix = f".{language}" if len(langs) > 1 else ""
        outcome = execute(path, out, run_params, suffix=suffix)
        status = "ok" if outcome.ok else "FAILED"
        noise = f" ({len(outcome.stderr)} stderr outputs)" if outcome.stderr else ""
        shown = f"{path.name} ({language})" if suffix else path.name
        log(f"{shown}: {status} in {outcome.seconds:.1f} s{noise} -> {outcome.html}")
        if not outcome.ok:
            log(outcome.error)
        outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govopen.run_notebooks",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only notebooks whose names start so")
    parser.add_argument("--out", default=str(ROOT / "reports"),
                        help="figures, tables and executed HTML go here (default: reports)")
    parser.add_argument("--data", help="dataset folder (default: the notebooks' own, "
                                       "../data/processed)")
    parser.add_argument("--raw", help="reports to build the dataset from if it is missing")
    parser.add_argument("--lang", choices=("en", "zh"), nargs="+",
                        help="figure language(s); with several, each notebook runs once per "
                             "language (default: the notebooks' own, en)")
    parser.add_argument("--notebooks", default=str(NOTEBOOKS), help="notebook folder")
    args = parser.parse_args(argv)
    folder = Path(args.notebooks)
    if not notebooks(folder, args.names):
        print(f"no notebooks to run in {folder}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    outcomes = run(folder, Path(args.out), args.names, args.data, args.raw, args.lang)
    failed = [o.name for o in outcomes if not o.ok]
    total = time.perf_counter() - start
    if failed:
        print(f"{len(failed)} of {len(outcomes)} notebooks failed: {', '.join(failed)}",
              file=sys.stderr)
        return 1
    print(f"{len(outcomes)} notebooks ran in {total:.0f} s; HTML in "
          f"{Path(args.out) / 'notebooks'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
