"""OCR in a process of its own (issue #16, memory): the calling process (the window, the command line)
never loads onnxruntime or OpenCV; cancel stops the child while it reads a page; a child that cannot
load its engine, or dies, comes back as the Chinese message the officer sees."""

import json
import subprocess
import sys
import textwrap

import pytest

from desktop.documents import redaction as R
from desktop.documents.redaction_sample import PLANTED, scan_image
from desktop.services import attachments, redaction
from tests.unit.test_redaction_service import handling_case


def compact(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def test_a_scan_is_read_without_loading_the_ocr_engine_in_the_calling_process(tmp_path):
    scan_image(dpi=100).crop((0, 0, 827, 300)).save(tmp_path / "scan.png", dpi=(100, 100))
    script = textwrap.dedent("""
        import json, sys
        from desktop.documents import redaction as R
        with R.open_source(sys.argv[1]) as source, R.OcrProcess() as reader:
            boxes = R.propose_all(source, [sys.argv[2]], reader=reader)
        print(json.dumps({"values": [b.value for b in boxes if b.source == "ocr"], "child_peak": reader.peak_mb,
                          "loaded": sorted(m for m in ("onnxruntime", "cv2", "rapidocr_onnxruntime", "numpy")
                                           if m in sys.modules)}))
    """)
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(R.Path(R.__file__).parents[2])!r})\n"
                           + script, str(tmp_path / "scan.png"), PLANTED.scan_name],
                          capture_output=True, text=True, check=True, timeout=600)
    found = json.loads(done.stdout.splitlines()[-1])
    assert {compact(v) for v in found["values"]} >= {PLANTED.scan_id, PLANTED.scan_phone, PLANTED.scan_name}
    assert found["loaded"] == []  # the engine, OpenCV and even numpy stayed in the child
    if sys.platform.startswith("linux"):
        assert found["child_peak"] > 50  # the child said how much it used, for the benchmark


def test_the_service_reads_scans_in_a_child_and_ends_it(registry, staff, tmp_path, monkeypatch):
    def in_process():
        raise AssertionError("the OCR engine was loaded in the calling process")
    monkeypatch.setattr(R, "ocr_engine", in_process)
    started = []
    real_start = R.OcrProcess.start

    def start(self):
        real_start(self)
        started.append(self)
    monkeypatch.setattr(R.OcrProcess, "start", start)
    scan_image(dpi=100).crop((0, 0, 827, 300)).save(tmp_path / "扫描件.png", dpi=(100, 100))
    case_id = handling_case(registry, staff)
    a = attachments.add(registry, staff["planner"], case_id, tmp_path / "扫描件.png", "application_scan")
    redaction.mark_for_release(registry, staff["planner"], a.id)
    proposals = redaction.propose_boxes(registry, a.id, names=[PLANTED.scan_name])
    assert proposals.complete and not proposals.notice
    assert PLANTED.scan_phone in {compact(b.value) for b in proposals.boxes if b.source == "ocr"}
    assert len(started) == 1 and started[0]._proc is None  # the child has ended with the proposals


def test_cancel_stops_the_child_while_it_reads_a_page():
    page = scan_image(dpi=150).convert("RGB")  # a whole A4 page: several bands, seconds to read
    asked = []

    def cancelled():
        asked.append(True)
        return len(asked) > 1  # not before the page is sent; at the first look while it is read
    with R.OcrProcess() as reader:
        reader.start()
        proc = reader._proc
        with pytest.raises(R.Cancelled):
            reader.lines(page, cancelled)
        assert proc.poll() is not None and reader._proc is None  # the child was stopped, not waited for
        lines = reader.lines(page.crop((0, 0, page.width, 400)))  # the next page starts a new child
    assert any("扫描件" in line[1] for line in lines)


def _child(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_child_that_cannot_load_the_engine_gives_the_message_the_officer_sees(registry, staff, tmp_path,
                                                                               monkeypatch):
    root = str(R.Path(R.__file__).parents[2])
    broken = (f"import sys; sys.path.insert(0, {root!r}); sys.modules['rapidocr_onnxruntime'] = None\n"
              "from desktop.documents.ocr_worker import main; sys.exit(main())")
    monkeypatch.setattr(R.OcrProcess, "command", staticmethod(lambda: _child(broken)))
    image = scan_image(dpi=100).crop((0, 0, 827, 300))
    with R.OcrProcess() as reader, pytest.raises(R.OcrUnavailable) as refused:
        reader.lines(image)
    assert str(refused.value).startswith("文字识别组件无法加载，扫描页无法自动识别（ModuleNotFoundError")

    image.save(tmp_path / "扫描件.png", dpi=(100, 100))
    case_id = handling_case(registry, staff)
    a = attachments.add(registry, staff["planner"], case_id, tmp_path / "扫描件.png", "application_scan")
    redaction.mark_for_release(registry, staff["planner"], a.id)
    proposals = redaction.propose_boxes(registry, a.id)
    assert proposals.complete and not proposals.boxes
    assert proposals.notice.startswith("文字识别组件无法加载") and proposals.notice.endswith("扫描页请逐页查看并手工框选")


def test_a_child_that_dies_is_named_with_its_last_words(monkeypatch):
    monkeypatch.setattr(R.OcrProcess, "command", staticmethod(
        lambda: _child("import sys; sys.stderr.write('MemoryError: 内存不足\\n'); sys.exit(3)")))
    with R.OcrProcess() as reader, pytest.raises(R.OcrUnavailable) as refused:
        reader.lines(scan_image(dpi=100).crop((0, 0, 827, 300)))
    assert str(refused.value) == "文字识别进程意外退出，扫描页无法自动识别（MemoryError: 内存不足）"
