"""Showing a PDF in the window (QtPdf) and printing it (QPrinter)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class PdfView(QWidget):
    """A scrollable view of a PDF file, fitted to the width."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout.addWidget(self.view)
        self.path: Path | None = None

    def load(self, path: Path | str) -> bool:
        self.path = Path(path)
        self.document.close()
        return self.document.load(str(path)) == QPdfDocument.Error.None_

    def page_count(self) -> int:
        return self.document.pageCount()


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw every page of ``document`` on ``printer``; returns the number of pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            target = printer.pageLayout().paintRectPixels(printer.resolution())
            size = document.pagePointSize(page)
            scale = min(target.width() / size.width(), target.height() / size.height())
            image = document.render(page, QSize(int(size.width() * scale), int(size.height() * scale)))
            painter.drawImage(0, 0, image)
    finally:
        painter.end()
    return document.pageCount()


class PdfPreviewDialog(QDialog):
    def __init__(self, path: Path | str, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 980)
        layout = QVBoxLayout(self)
        self.pdf = PdfView(self)
        ok = self.pdf.load(path)
        self.info = QLabel(f"{Path(path).name}，共 {self.pdf.page_count()} 页" if ok else f"无法打开 {path}")
        layout.addWidget(self.info)
        layout.addWidget(self.pdf, 1)
        buttons = QHBoxLayout()
        self.print_button = QPushButton("打印(&P)…")
        self.print_button.clicked.connect(self.print_document)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def print_document(self) -> int:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not ask_printer(self, printer):
            return 0
        return print_pdf(self.pdf.document, printer)

    @classmethod
    def show_pdf(cls, parent, path: Path | str, title: str) -> None:
        dialog = cls(path, title, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()


def ask_printer(parent, printer: QPrinter) -> bool:
    """The system print dialog (patched in tests)."""
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted
