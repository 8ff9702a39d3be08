"""关于: version, database, data folder, and the licence of the bundled font."""

from __future__ import annotations

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout

from desktop import __version__
from desktop.paths import data_dir, resources_dir


class AboutDialog(QDialog):
    def __init__(self, db_path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("关于")
        self.resize(640, 520)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(QPixmap(str(resources_dir() / "icons" / "app.png")).scaled(64, 64))
        head.addWidget(icon)
        self.info = QLabel(
            f"<h3>政府信息公开申请办理系统</h3>Disclosure Desk {__version__}<br>"
            f"数据库：{db_path}<br>数据目录：{data_dir()}")
        self.info.setObjectName("about_info")
        self.info.setWordWrap(True)
        head.addWidget(self.info, 1)
        layout.addLayout(head)
        layout.addWidget(QLabel("内置字体：DDesk Kai GBK（霞鹜文楷 LXGW WenKai 的 GBK 子集，已按许可要求改名），"
                                "SIL Open Font License 1.1。系统装有仿宋、小标宋时，文书优先使用系统字体。"))
        self.licence = QTextBrowser()
        self.licence.setObjectName("font_licence")
        self.licence.setPlainText((resources_dir() / "fonts" / "OFL.txt").read_text(encoding="utf-8"))
        layout.addWidget(self.licence, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    @classmethod
    def show_about(cls, db_path, parent=None) -> None:
        cls(db_path, parent).exec()
