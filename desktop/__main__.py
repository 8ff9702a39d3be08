import sys

if sys.argv[1:2] == ["--ocr-worker"]:  # the OCR engine's own process (desktop/documents/ocr_worker.py)
    from desktop.documents.ocr_worker import main
else:
    from desktop.cli import main

raise SystemExit(main())
