"""Starting a second Python process for work that splits in two (verify, rebuild).

A plain ``python -c`` child running one function of this library, not
:mod:`multiprocessing`: its spawn and forkserver methods re-import the caller's
main module (a script without a ``__main__`` guard would run again), and fork
is unsafe in a caller that has threads. The child imports this same copy of
the library, whatever the caller's ``sys.path`` was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

__all__ = ["start"]


def start(function: str, args: list[str], *, stderr: IO[bytes] | int = subprocess.PIPE) -> subprocess.Popen | None:
    """Run ``archive.<module>.<function>(args)`` in a child whose stdout is a pipe; None if it cannot start."""
    module, name = function.rsplit(".", 1)
    code = f"import sys; from {module} import {name}; {name}(sys.argv[1:])"
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    try:
        return subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=stderr, env=env)
    except OSError:
        return None
