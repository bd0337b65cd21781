"""Finding the ``corridor`` binary and running it, with its progress shown by tqdm."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Optional, Sequence

BUILD_COMMAND = "swift build -c release --product corridor"


class CorridorError(Exception):
    """An error reported by the ``corridor`` binary.

    ``message`` is Corridor's own message, unchanged (file, line, column and key path
    where it has them); ``command`` is the command line that failed; ``status`` its exit
    status.
    """

    def __init__(self, message: str, command: Sequence[str] = (), status: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.command = list(command)
        self.status = status


class BinaryNotFoundError(CorridorError):
    """No ``corridor`` binary where the package looked; the message says how to build one."""


_explicit_binary: Optional[str] = None


def set_binary(path: Optional[str]) -> None:
    """Use the ``corridor`` binary at ``path`` for every later call (``None``: search again)."""
    global _explicit_binary
    _explicit_binary = path


def find_binary(binary: Optional[str] = None) -> str:
    """The ``corridor`` binary to run: ``binary`` if given, else the one set with
    :func:`set_binary`, else ``$CORRIDOR_BINARY``, else ``corridor`` on ``PATH``, else
    ``.build/release/corridor`` of the Corridor checkout this package sits in (an editable
    install) or that the working folder is in."""
    for candidate, source in ((binary, "binary="), (_explicit_binary, "corridor.set_binary"),
                              (os.environ.get("CORRIDOR_BINARY"), "CORRIDOR_BINARY")):
        if candidate:
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
            raise BinaryNotFoundError(
                f"{source} names {candidate}, which is not an executable file. Build corridor in the Corridor "
                f"folder with `{BUILD_COMMAND}` (it is then .build/release/corridor), or give its path.")
    looked = []
    on_path = shutil.which("corridor")
    if on_path:
        return on_path
    looked.append("corridor on PATH")
    for start in (Path(__file__).resolve(), Path.cwd().resolve() / "here"):
        for folder in start.parents:
            beside = folder / ".build" / "release" / "corridor"
            if beside.is_file() and os.access(beside, os.X_OK):
                return str(beside)
            if (folder / "Package.swift").is_file():
                looked.append(str(beside))
                break
    raise BinaryNotFoundError(
        "the corridor binary was not found (looked at: " + ", ".join(looked) + "). Build it in the Corridor "
        f"folder with `{BUILD_COMMAND}`, or pass binary=PATH, call corridor.set_binary(PATH) or set CORRIDOR_BINARY."
    )


def invoke(arguments: Sequence[str], *, binary: Optional[str] = None, progress: bool = True,
           cwd: Optional[str] = None) -> str:
    """Runs ``corridor ARGUMENTS`` and returns its standard output.

    With ``progress`` the binary reports progress as JSON lines on standard error
    (``--progress json``), shown as a tqdm bar (notebook-aware; only once a call has run
    for a second). Any other line on standard error is Corridor's message: on a non-zero
    exit it is raised as :class:`CorridorError`, unchanged; warnings are passed on to
    Python's ``warnings``. Ctrl-C interrupts the binary (it removes its unfinished output).
    """
    command = [find_binary(binary), *arguments]
    if progress:
        command += ["--progress", "json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    stdout_parts: list[str] = []
    reader = threading.Thread(target=lambda: stdout_parts.append(process.stdout.read()), daemon=True)
    reader.start()
    messages: list[str] = []
    bar = None
    try:
        for line in process.stderr:
            event = _progress_event(line)
            if event is None:
                messages.append(line.rstrip("\n"))
                continue
            bar = _advance(bar, event)
        process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        process.wait()
        raise
    finally:
        if bar is not None:
            bar.close()
        reader.join()
    text = "\n".join(messages).strip()
    if process.returncode != 0:
        raise CorridorError(text or f"corridor exited with status {process.returncode}", command, process.returncode)
    if text:
        import warnings
        for message in messages:
            if message.strip():
                warnings.warn(message, stacklevel=3)
    return "".join(stdout_parts)


def _progress_event(line: str) -> Optional[dict]:
    if not line.startswith('{"progress"'):
        return None
    try:
        return json.loads(line)["progress"]
    except (ValueError, KeyError, TypeError):
        return None


def _bar_class():
    """tqdm's notebook bar where Jupyter's widgets are installed, else its text bar."""
    try:
        import ipywidgets  # noqa: F401  (tqdm.auto needs it in Jupyter)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm


def _advance(bar, event: dict):
    if bar is None or bar.desc != event["label"]:
        if bar is not None:
            bar.close()
        bar = _bar_class()(total=event["total"], desc=event["label"], delay=1.0, leave=False)
    if "cost" in event:
        bar.set_postfix(cost=f"{event['cost']:.6g}", refresh=False)
    bar.update(event["done"] - bar.n)  # drawn only once the call has run for a second (delay)
    return bar
