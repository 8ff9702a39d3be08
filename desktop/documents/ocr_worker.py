"""The OCR engine's own process (started by ``redaction.OcrProcess``; ``--ocr-worker`` in the frozen
build). Why a process of its own: onnxruntime, OpenCV and the models take ≈130 MB before the first page
and ≈100 MB more while a page is read; in the window's process, beside Qt, that went past 400 MB. Here
they are loaded only while scanned pages are read, and leave with the process.

The protocol, on standard input and output (binary): the child first answers ``{"ready": true}`` or
``{"error": "中文说明"}``; then for each request line ``{"op": "read", "width": W, "height": H}``
followed by W×H×3 bytes of RGB pixels it answers ``{"lines": [...]}`` (RapidOCR's lines, as
``redaction._ocr_lines`` returns them) or ``{"error": "..."}``; ``{"op": "quit"}`` is answered with
``{"peak_mb": ...}`` (this process's peak memory, VmHWM; null where unknown) before it exits. It also
exits when its input closes (the program has gone). Whatever a library prints goes to standard error.
"""

from __future__ import annotations

import json
import os
import sys


def _plain(value):
    """numpy numbers and arrays as JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(type(value).__name__)


def _read_exactly(stream, size: int) -> bytearray | None:
    buffer = bytearray(size)  # writable: the engine may work on the pixels in place
    view = memoryview(buffer)
    done = 0
    while done < size:
        n = stream.readinto(view[done:])
        if not n:
            return None
        done += n
    return buffer


def peak_mb() -> float | None:
    """This process's own peak memory in MB (VmHWM), or None where the system does not say."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        return None


def main() -> int:
    if sys.platform == "win32":  # pragma: no cover - binary pipes
        import msvcrt

        msvcrt.setmode(0, os.O_BINARY)
        msvcrt.setmode(1, os.O_BINARY)
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a library's print() must not land among the replies
    sys.stdout = sys.stderr
    requests = os.fdopen(0, "rb")

    def send(message) -> None:
        replies.write(json.dumps(message, ensure_ascii=False, default=_plain).encode("utf-8") + b"\n")
        replies.flush()

    from desktop.documents import redaction

    try:
        engine = redaction.ocr_engine()
        import numpy as np
    except redaction.OcrUnavailable as exc:
        send({"error": str(exc)})
        return 1
    send({"ready": True})
    while True:
        header = requests.readline()
        if not header:
            return 0
        request = json.loads(header)
        if request.get("op") == "quit":
            send({"peak_mb": peak_mb()})
            return 0
        width, height = int(request["width"]), int(request["height"])
        data = _read_exactly(requests, width * height * 3)
        if data is None:
            return 0
        try:
            lines = redaction._ocr_lines(engine, np.frombuffer(data, np.uint8).reshape(height, width, 3))
        except Exception as exc:  # noqa: BLE001 - told to the program, which goes on without OCR
            send({"error": f"文字识别失败（{type(exc).__name__}: {exc}）"})
            continue
        finally:
            del data
        send({"lines": lines})


if __name__ == "__main__":
    raise SystemExit(main())
