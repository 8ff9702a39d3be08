import sys

if sys.argv[1:2] == ["--ocr-worker"]:  # the OCR engine's own process (desktop/documents/ocr_worker.py)
    from desktop.documents.ocr_worker import main
elif sys.argv[1:2] == ["--ledger-reader"]:  # the ledger import's reading process (desktop/services/ledger_reader.py)
    from desktop.services.ledger_reader import main
elif sys.argv[1:2] == ["--ledger-writer"]:  # the ledger export's writing process (desktop/documents/ledger_xlsx.py)
    from desktop.documents.ledger_xlsx import writer_main as main
else:
    from desktop.cli import main

raise SystemExit(main())
