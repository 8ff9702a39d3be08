"""Every modal question the window asks goes through here, so tests can patch one place."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class Ask:
    @classmethod
    def error(cls, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    @classmethod
    def info(cls, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    @classmethod
    def confirm(cls, parent: QWidget | None, title: str, text: str, action: str = "确定") -> bool:
        """A question whose buttons say what happens (``action`` / 取消); the action is the default."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
        do = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(do)
        box.exec()
        return box.clickedButton() is do

    @classmethod
    def printer(cls, parent: QWidget | None, title: str):
        """The system's print dialog; the chosen printer, or None when cancelled."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None

    @classmethod
    def save_path(cls, parent: QWidget | None, title: str, suggested: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return path or None

    @classmethod
    def open_paths(cls, parent: QWidget | None, title: str, filters: str) -> list[str]:
        paths, _ = QFileDialog.getOpenFileNames(parent, title, "", filters)
        return paths

    @classmethod
    def bug(cls, parent: QWidget | None) -> None:
        QMessageBox.critical(parent, "程序错误", "很抱歉，程序出现错误，已记录到日志。您填写的内容没有丢失，请重试或联系管理员。")
