#!/usr/bin/env python3
"""Executes one notebook headless with nbclient — the engine of `jupyter nbconvert --execute` —
and writes the executed copy, also when a cell fails (then up to and including that cell, so
its error output can be read). Used by `npm run reproduce` (scripts/reproduce.ts).

usage: run_notebook.py SRC.ipynb DST.ipynb CELL_TIMEOUT_S KERNEL_NAME

Prints one progress line per code cell to stderr and, last, one JSON line to stdout:
  {"ok": true|false, "cells": N, "seconds": S, "cell_seconds": [...],
   "failed_cell": i, "source": "...", "error": "..."}   (cell numbers 1-based, all cells counted)
The kernel runs in the folder of SRC (as in Jupyter), so notebooks use paths like ../figures.
The executed copy is signed as trusted (what `jupyter trust DST` does: its digest goes into the
user's notebook signature database), so the classic notebook runs its chart scripts.
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def error_text(cell):
    """What the failed cell said: error outputs first (ename: evalue + traceback), else its stderr."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
            parts.extend(out.get("traceback", [])[-5:])
    if not parts:
        parts = [out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream" and out.get("name") == "stderr"]
    return "\n".join(p.rstrip() for p in parts if p).strip()


def trust(nb, dst):
    """Signs the executed notebook as trusted (= `jupyter trust DST`); a failure is reported, not fatal."""
    try:
        from nbformat.sign import NotebookNotary
        NotebookNotary().sign(nb)
    except Exception as e:  # e.g. no writable Jupyter data dir for the signature database
        print(f"    !! could not mark {dst} as trusted ({type(e).__name__}: {e}); run `jupyter trust {dst}`", file=sys.stderr, flush=True)


def main():
    src, dst, timeout, kernel = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    nb = nbformat.read(src, as_version=4)
    ncode = sum(1 for c in nb.cells if c.cell_type == "code")
    state = {"index": None, "t0": None, "done": 0}
    times = []

    def on_start(cell, cell_index, **_):
        state["index"], state["t0"] = cell_index, time.time()
        if cell.cell_type != "code":
            return
        state["done"] += 1
        first = next((l for l in cell.source.splitlines() if l.strip() and not l.lstrip().startswith("//")), "")[:70]
        print(f"    cell {cell_index + 1:>2}/{len(nb.cells)} ({state['done']}/{ncode} code): {first}", file=sys.stderr, flush=True)

    def on_executed(cell, cell_index, **_):
        if cell.cell_type == "code":
            times.append({"cell": cell_index + 1, "seconds": round(time.time() - state["t0"], 2)})

    client = NotebookClient(
        nb, timeout=timeout, startup_timeout=180, kernel_name=kernel, record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
        on_cell_start=on_start, on_cell_executed=on_executed,
    )
    t0 = time.time()
    result = {"ok": True}
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        i = state["index"]
        cell = nb.cells[i] if i is not None else {}
        what = {CellTimeoutError: f"timed out after {timeout} s", DeadKernelError: "the kernel died"}.get(type(e), "")
        result = {
            "ok": False,
            "failed_cell": None if i is None else i + 1,
            "source": cell.get("source", ""),
            "error": "\n".join(x for x in [what, error_text(cell) if cell else "", "" if cell and error_text(cell) else str(e)[-2000:]] if x),
        }
    result.update({"cells": len(nb.cells), "seconds": round(time.time() - t0, 2), "cell_seconds": times})
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    tmp = f"{dst}.{os.getpid()}.tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, dst)
    trust(nb, dst)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
