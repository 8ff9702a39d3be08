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
    def confirm(cls, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

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
