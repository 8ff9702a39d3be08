"""关于: version, database, data folder, the fonts letters are drawn with, and the licences of the fonts
and of the components that read, render and check documents for 去标识化."""

from __future__ import annotations

from html import escape

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
            f"<h3>政府信息公开申请办理系统</h3>版本 {__version__}（Disclosure Desk）<br>"
            f"数据库：{db_path}<br>数据目录：{data_dir()}")
        self.info.setObjectName("about_info")
        self.info.setWordWrap(True)
        head.addWidget(self.info, 1)
        layout.addLayout(head)
        self.fonts = QLabel(fonts_html())
        self.fonts.setObjectName("font_list")
        self.fonts.setWordWrap(True)
        layout.addWidget(self.fonts)
        self.components = QLabel(components_html())
        self.components.setObjectName("component_list")
        self.components.setWordWrap(True)
        layout.addWidget(self.components)
        self.licence = QTextBrowser()
        self.licence.setObjectName("font_licence")
        self.licence.setPlainText("\n\n".join(
            (resources_dir() / name).read_text(encoding="utf-8") for name in licence_files()))
        layout.addWidget(self.licence, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    @classmethod
    def show_about(cls, db_path, parent=None) -> None:
        cls(db_path, parent).exec()


def licence_files() -> list[str]:
    from desktop.documents.fonts import BUNDLED_FONTS

    return list(dict.fromkeys(f.licence_file for f in BUNDLED_FONTS))


def fonts_html() -> str:
    """The fonts letters are drawn with on this PC, by role, with their licences."""
    from desktop.documents.fonts import letter_fonts

    try:
        rows = letter_fonts().describe()
    except Exception as exc:  # a damaged installation: say so instead of failing the About box
        return f"文书字体无法载入：{escape(str(exc))}"
    items = "".join(f"<li>{escape(role)}：{escape(label)}，{escape(licence)}</li>" for role, label, licence in rows)
    return ("文书字体（装有仿宋、小标宋时优先使用系统字体；某字体缺少的字，依次由后面的字体补足）："
            f"<ul style='margin:0'>{items}</ul>")


# The components 去标识化 uses (desktop/documents/redaction.py) and their licences (none is AGPL/GPL).
COMPONENTS = (
    ("pypdfium2", "pypdfium2", "Apache-2.0 / BSD-3-Clause", "读取、渲染PDF"),
    ("PDFium", None, "BSD-3-Clause / Apache-2.0", "随 pypdfium2 提供的PDF引擎"),
    ("RapidOCR", "rapidocr-onnxruntime", "Apache-2.0", "扫描页文字识别"),
    ("ONNX Runtime", "onnxruntime", "MIT", "文字识别模型的运行"),
    ("OpenCV", "opencv-python", "Apache-2.0", "图像处理"),
    ("Pillow", "pillow", "MIT-CMU", "图像处理、生成公开版"),
    ("NumPy", "numpy", "BSD-3-Clause", "图像数据"),
    ("Shapely", "shapely", "BSD-3-Clause", "文字识别的区域计算"),
    ("pyclipper", "pyclipper", "MIT", "文字识别的区域计算"),
    ("protobuf", "protobuf", "BSD-3-Clause", "ONNX Runtime 所需"),
    ("FlatBuffers", "flatbuffers", "Apache-2.0", "ONNX Runtime 所需"),
    ("PyYAML", "pyyaml", "MIT", "RapidOCR 所需"),
    ("six", "six", "MIT", "RapidOCR 所需"),
    ("tqdm", "tqdm", "MPL-2.0 AND MIT", "RapidOCR 所需"),
)


def components_html() -> str:
    """The document components with their versions on this PC and their licences."""
    from importlib.metadata import PackageNotFoundError, version

    items = []
    for name, dist, licence, use in COMPONENTS:
        try:
            shown = f"{name} {version(dist)}" if dist else name
        except PackageNotFoundError:
            shown = f"{name}（未安装）"
        items.append(f"<li>{escape(shown)}：{escape(licence)}（{escape(use)}）</li>")
    return f"去标识化所用组件及其许可证：<ul style='margin:0'>{''.join(items)}</ul>"
