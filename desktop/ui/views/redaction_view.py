"""去标识化 page viewer: a 拟公开材料's pages with the proposed boxes over the personal data found, which
the officer accepts or removes, boxes drawn by mouse, a reason category per box, and 生成公开版 (off the
GUI thread, with progress and cancel). Read-only, the same viewer shows a released version beside its
original, box by box, for review and approval.

Pages are rendered one at a time when shown (a 100-page document is never held in memory); detection
and release run in a worker thread with their own database connection (ui/workers.py). PDFium is not
thread-safe: while a worker runs, this screen renders nothing (the progress dialog is window-modal).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services import attachments, redaction
from desktop.services.base import Actor, Registry
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import user_message
from desktop.ui.workers import Cancelled, Worker

VIEW_DPI = 100
CATEGORY_COLOURS = {"privacy": QColor("#b3261e"), "commercial": QColor("#1f4e8c"), "other": QColor("#5f5f5f")}
PROPOSED, ACCEPTED = "proposed", "accepted"
STATUS_LABELS = {PROPOSED: "待确认", ACCEPTED: "遮盖"}


def masked(value: str) -> str:
    """What a box covers, partly hidden (the list is read over the officer's shoulder)."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    if len(value) <= 3:
        return value[0] + "＊" * (len(value) - 1)
    keep = max(1, len(value) // 4)
    return value[:keep] + "＊" * (len(value) - 2 * keep) + value[-keep:]


def to_qimage(image) -> QImage:
    """A PIL image as a QImage (copied: the bytes are not kept)."""
    rgb = image.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


@dataclass
class Entry:
    """One box on the screen: the engine's Box and whether the officer accepted it."""
    box: object  # engine Box (frozen dataclass)
    status: str = PROPOSED


class BoxItem(QGraphicsRectItem):
    def __init__(self, entry: Entry, index: int, read_only: bool):
        b = entry.box
        super().__init__(QRectF(QPointF(b.x0, b.y0), QPointF(b.x1, b.y1)))
        self.entry, self.index = entry, index
        colour = CATEGORY_COLOURS.get(b.category, CATEGORY_COLOURS["other"])
        if read_only:
            pen, fill = QPen(colour, 2), QColor(colour.red(), colour.green(), colour.blue(), 60)
        elif entry.status == PROPOSED:
            pen, fill = QPen(QColor("#e07a00"), 2, Qt.PenStyle.DashLine), QColor(224, 122, 0, 50)
        else:
            pen, fill = QPen(colour, 2), QColor(0, 0, 0, 170)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QBrush(fill))
        self.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setToolTip(f"{redaction.engine().KIND_LABELS.get(b.kind, b.kind)}　{redaction.category_label(b.category)}"
                        f"　{redaction.engine().SOURCES.get(b.source, b.source)}　{STATUS_LABELS.get(entry.status, '')}")
        self.setZValue(1)

    def paint(self, painter, option, widget=None) -> None:
        super().paint(painter, option, widget)
        if self.isSelected():
            pen = QPen(QColor("#ffd400"), 3)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect())


class PageCanvas(QGraphicsView):
    """One page as an image, in PDF points (the boxes' coordinates); boxes drawn with the mouse."""
    box_drawn = Signal(QRectF)

    def __init__(self, editable: bool, parent=None):
        super().__init__(parent)
        self.editable = editable
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(QBrush(QColor("#8a8a8a")))
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.page_item = QGraphicsPixmapItem()
        self.page_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.page_item)
        self.page_rect = QRectF(0, 0, 595, 842)
        self.zoom = 1.0
        self._start: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None
        self.box_items: list[BoxItem] = []
        if editable:
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def show_page(self, image: QImage, width: float, height: float) -> None:
        self.page_rect = QRectF(0, 0, width, height)
        self.page_item.setPixmap(QPixmap.fromImage(image))
        self.page_item.setScale(width / max(image.width(), 1))
        self.scene().setSceneRect(self.page_rect.adjusted(-8, -8, 8, 8))
        self.fit()

    def clear_page(self) -> None:
        self.page_item.setPixmap(QPixmap())
        self.set_boxes([], read_only=True)

    def set_boxes(self, entries: list[Entry], read_only: bool, selected: int | None = None) -> None:
        for item in self.box_items:
            self.scene().removeItem(item)
        self.box_items = []
        for i, entry in enumerate(entries):
            item = BoxItem(entry, i, read_only)
            self.scene().addItem(item)
            item.setSelected(i == selected)
            self.box_items.append(item)

    def fit(self) -> None:
        """The page as wide as the view, times the zoom."""
        if self.page_rect.width() <= 0 or self.viewport().width() <= 16:
            return
        scale = (self.viewport().width() - 16) / self.page_rect.width() * self.zoom
        self.resetTransform()
        self.scale(scale, scale)

    def zoom_by(self, factor: float) -> None:
        self.zoom = min(6.0, max(0.3, self.zoom * factor))
        self.fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit()

    def wheelEvent(self, event) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    def _on_page(self, pos) -> QPointF:
        p = self.mapToScene(pos)
        return QPointF(min(max(p.x(), 0), self.page_rect.width()), min(max(p.y(), 0), self.page_rect.height()))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        item = self.itemAt(event.position().toPoint())
        if (self.editable and event.button() == Qt.MouseButton.LeftButton and not isinstance(item, BoxItem)
                and not self.page_item.pixmap().isNull()):
            self.scene().clearSelection()
            self._start = self._on_page(event.position().toPoint())
            self._rubber = QGraphicsRectItem(QRectF(self._start, self._start))
            pen = QPen(QColor("#1e5e25"), 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            self._rubber.setPen(pen)
            self._rubber.setZValue(2)
            self.scene().addItem(self._rubber)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._start is not None and self._rubber is not None:
            self._rubber.setRect(QRectF(self._start, self._on_page(event.position().toPoint())).normalized())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._start is not None:
            rect = QRectF(self._start, self._on_page(event.position().toPoint())).normalized()
            if self._rubber is not None:
                self.scene().removeItem(self._rubber)
            self._start, self._rubber = None, None
            event.accept()
            if rect.width() >= 3 and rect.height() >= 3:  # a click is not a box
                self.box_drawn.emit(rect)
            return
        super().mouseReleaseEvent(event)


class RedactionView(QWidget):
    """The page viewer. ``redaction_log`` given: read-only, the released version beside the original."""
    released = Signal(object)  # redaction.Released, after 生成公开版
    busy_changed = Signal(bool)

    def __init__(self, reg: Registry, actor: Actor, attachment_id: int, expected_version: int | None = None,
                 redaction_log: redaction.Redaction | None = None, parent=None):
        super().__init__(parent)
        self.reg, self.actor, self.expected_version = reg, actor, expected_version
        self.original = attachments.get(reg, attachment_id)
        self.read_only = redaction_log is not None
        self.log = redaction_log
        self.entries: dict[int, list[Entry]] = {}
        self.page = 0
        self.page_count = 0
        self.page_sizes: list[tuple[float, float]] = []
        self.text_pages: set[int] = set()
        self.pages_read = 0
        self.worker: Worker | None = None
        self._stop_now = threading.Event()  # set by cancel: OCR of the current page stops too
        self.progress: QProgressDialog | None = None
        self.source: Path | None = None  # the original as a file on this PC (opened for each page shown)
        self.released_file: tuple[Path, str] | None = None  # the released version's file and name
        self.result: redaction.Released | None = None
        self.setWindowTitle(("对照查看：" if self.read_only else "去标识化：") + self.original.file_name)
        self.resize(1400, 900)
        self._build()
        self._open_original()
        if self.read_only:
            self._load_log(redaction_log)

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("redaction_heading")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        names_row = QHBoxLayout()
        self.names = QLineEdit()
        self.names.setObjectName("names")
        self.names.setPlaceholderText("查找的姓名，用顿号分隔（申请人和第三方的姓名已自动填入）")
        self.redetect_button = QPushButton("重新识别")
        self.redetect_button.setObjectName("redetect")
        self.redetect_button.clicked.connect(self.detect)
        names_row.addWidget(QLabel("查找的姓名"))
        names_row.addWidget(self.names, 1)
        names_row.addWidget(self.redetect_button)
        self.names_host = QWidget()
        self.names_host.setLayout(names_row)
        self.names_host.setVisible(not self.read_only)
        outer.addWidget(self.names_host)

        splitter = QSplitter()
        outer.addWidget(splitter, 1)
        self.pages = QListWidget()
        self.pages.setObjectName("pages")
        self.pages.setMaximumWidth(190)
        self.pages.currentRowChanged.connect(self.show_page)
        splitter.addWidget(self.pages)
        canvases = QWidget()
        cl = QHBoxLayout(canvases)
        cl.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        self.original_label = QLabel("原件（仅供内部使用）" if self.read_only else "原件：绿色虚线框出范围，松开鼠标即添加遮盖框")
        self.original_label.setWordWrap(True)
        left.addWidget(self.original_label)
        self.canvas = PageCanvas(editable=not self.read_only)
        self.canvas.setObjectName("original_canvas")
        self.canvas.box_drawn.connect(self.add_drawn_box)
        self.canvas.scene().selectionChanged.connect(self._canvas_selection)
        left.addWidget(self.canvas, 1)
        cl.addLayout(left, 1)
        self.released_host = QWidget()
        right = QVBoxLayout(self.released_host)
        right.setContentsMargins(0, 0, 0, 0)
        self.released_label = QLabel("公开版")
        self.released_label.setObjectName("released_label")
        self.released_label.setWordWrap(True)
        right.addWidget(self.released_label)
        self.released_canvas = PageCanvas(editable=False)
        self.released_canvas.setObjectName("released_canvas")
        right.addWidget(self.released_canvas, 1)
        self.released_host.setVisible(False)
        cl.addWidget(self.released_host, 1)
        splitter.addWidget(canvases)

        side = QWidget()
        sl = QVBoxLayout(side)
        self.box_table = QTableWidget(0, 5)
        self.box_table.setObjectName("boxes")
        self.box_table.setHorizontalHeaderLabels(["页", "类型", "内容", "理由类别", "状态"])
        self.box_table.verticalHeader().setVisible(False)
        self.box_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.box_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.box_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.box_table.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 2
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.box_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if self.read_only:  # the log keeps where and why, never the covered text; every box was applied
            self.box_table.setColumnHidden(2, True)
            self.box_table.setColumnHidden(4, True)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.box_table.itemSelectionChanged.connect(self._table_selection)
        sl.addWidget(self.box_table, 1)
        category_row = QHBoxLayout()
        category_row.addWidget(QLabel("理由类别"))
        self.category = QComboBox()
        self.category.setObjectName("category")
        for code, label in redaction.engine().CATEGORIES.items():
            self.category.addItem(label, code)
        self.category.activated.connect(lambda _i: self.set_category(self.category.currentData()))
        category_row.addWidget(self.category, 1)
        self.category_host = QWidget()
        self.category_host.setLayout(category_row)
        sl.addWidget(self.category_host)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("接受(&A)")
        self.accept_button.setObjectName("accept_box")
        self.accept_button.clicked.connect(self.accept_selected)
        self.remove_button = QPushButton("移除(&D)")
        self.remove_button.setObjectName("remove_box")
        self.remove_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.remove_button.clicked.connect(self.remove_selected)
        self.accept_page_button = QPushButton("本页全部接受")
        self.accept_page_button.setObjectName("accept_page")
        self.accept_page_button.clicked.connect(self.accept_page)
        for b in (self.accept_button, self.remove_button, self.accept_page_button):
            buttons.addWidget(b)
        self.edit_buttons = QWidget()
        self.edit_buttons.setLayout(buttons)
        sl.addWidget(self.edit_buttons)
        self.status = QLabel()
        self.status.setObjectName("redaction_status")
        self.status.setWordWrap(True)
        sl.addWidget(self.status)
        self.generate_button = QPushButton("生成公开版…")
        self.generate_button.setObjectName("generate_release")
        self.generate_button.clicked.connect(self.generate)
        sl.addWidget(self.generate_button)
        for w in (self.category_host, self.edit_buttons, self.generate_button):
            w.setVisible(not self.read_only)
        splitter.addWidget(side)
        splitter.setSizes([170, 850, 440])

    # -- documents --------------------------------------------------------------------------------
    def _open_original(self) -> None:
        try:
            path = attachments.local_copy(self.reg, self.original)
            with redaction.open_document(path, self.original.file_name) as source:
                self.page_count = source.page_count
                self.page_sizes = [source.page_size(i) for i in range(self.page_count)]
            self.source = path
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.source = None
            self.heading.setText(f"<span style='color:#b3261e'>无法打开：{message}</span>")
            for w in (self.generate_button, self.redetect_button):
                w.setEnabled(False)
            return
        self.heading.setText(f"<b>{self.original.file_name}</b>　共 {self.page_count} 页"
                             + ("" if self.read_only else "　— 自动识别的建议框为橙色虚线：请逐一接受或移除；"
                                "在页面上拖动鼠标可添加遮盖框；每个框选择理由类别。"))
        self.names.setText("、".join(redaction.names_on_case(self.reg, self.original.case_id)))
        self.pages.blockSignals(True)
        self.pages.clear()
        for i in range(self.page_count):
            item = QListWidgetItem(f"第 {i + 1} 页")
            item.setData(Qt.ItemDataRole.UserRole, i)
            self.pages.addItem(item)
        self.pages.blockSignals(False)
        self.pages.setCurrentRow(0)
        self.show_page(0)

    def _open_released(self, attachment_id: int) -> None:
        self.released_file = None
        try:
            a = attachments.get(self.reg, attachment_id)
            self.released_file = (attachments.local_copy(self.reg, a), a.file_name)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.released_label.setText(f"公开版无法打开：{message}")
            return
        self.released_host.setVisible(True)

    def _load_log(self, log: redaction.Redaction) -> None:
        for d in log.boxes:
            box = redaction.box_from_json(d)
            self.entries.setdefault(box.page, []).append(Entry(box, ACCEPTED))
        self.pages_read = self.page_count
        self._open_released(log.released_id)
        self.released_label.setText(f"公开版：{log.released_name}（共 {log.pages} 页，SHA-256 {log.released_sha256[:16]}…）")
        self.heading.setText(self.heading.text() + f"　— {log.actor_name} 于 {log.recorded_at.replace('T', ' ')} "
                             f"生成公开版，遮盖{log.totals_text()}")
        self.show_page(self.page)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.worker is not None:
            self.worker.cancel()
            self._stop_now.set()
            self.worker.wait()
        super().closeEvent(event)

    # -- showing -------------------------------------------------------------------------------
    def show_page(self, page: int) -> None:
        if page < 0 or self.source is None or self.worker is not None:
            return
        self.page = page
        w, h = self.page_sizes[page]
        try:  # one page at a time, the file open only while it is drawn
            with redaction.open_document(self.source, self.original.file_name) as source:
                self.canvas.show_page(to_qimage(source.render(page, dpi=VIEW_DPI)), w, h)
            if self.released_file is not None:
                with redaction.open_document(*self.released_file) as released:
                    if page < released.page_count:
                        rw, rh = released.page_size(page)
                        self.released_canvas.show_page(to_qimage(released.render(page, dpi=VIEW_DPI)), rw, rh)
                    else:
                        self.released_canvas.clear_page()
        except Exception as exc:
            message = user_message(exc) or (str(exc) if isinstance(exc, redaction.engine().RedactionInputError)
                                            else None)
            if message is None:
                raise
            self.status.setText(f"第 {page + 1} 页无法显示：{message}")
        self._refresh()

    def page_entries(self, page: int | None = None) -> list[Entry]:
        return self.entries.setdefault(self.page if page is None else page, [])

    def all_entries(self) -> list[Entry]:
        return [e for p in sorted(self.entries) for e in self.entries[p]]

    def _rows(self) -> list[tuple[int, int]]:
        """(page, index on that page) of the boxes listed: the current page's; read-only, all of them."""
        pages = sorted(self.entries) if self.read_only else [self.page]
        return [(p, i) for p in pages for i in range(len(self.entries.get(p, [])))]

    def _refresh(self, selected: tuple[int, int] | None = None) -> None:
        entries = self.page_entries()
        sel_index = selected[1] if selected and selected[0] == self.page else None
        self._updating = True  # the scene's selection changes while the boxes are put back
        try:
            self.canvas.set_boxes(entries, self.read_only, sel_index)
        finally:
            self._updating = False
        rows = self._rows()
        self.box_table.blockSignals(True)
        self.box_table.setRowCount(len(rows))
        eng = redaction.engine()
        for r, (p, i) in enumerate(rows):
            e = self.entries[p][i]
            b = e.box
            cells = (str(p + 1), f"{eng.KIND_LABELS.get(b.kind, b.kind)}（{redaction.engine().SOURCES.get(b.source, b.source)}）",
                     masked(getattr(b, "value", "")), redaction.category_label(b.category),
                     STATUS_LABELS[e.status])
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 4 and e.status == PROPOSED:
                    item.setForeground(QBrush(QColor("#b26a00")))
                self.box_table.setItem(r, c, item)
            if selected == (p, i):
                self.box_table.selectRow(r)
        self.box_table.blockSignals(False)
        for row in range(self.pages.count()):
            n = len(self.entries.get(row, []))
            pending = sum(e.status == PROPOSED for e in self.entries.get(row, []))
            text = f"第 {row + 1} 页" + (f"　{n} 处" if n else "") + (f"（{pending} 待确认）" if pending else "")
            if not self.read_only and row >= self.pages_read:
                text += "　未识别"
            elif not self.read_only and row not in self.text_pages and self.pages_read:
                text += "　OCR"
            self.pages.item(row).setText(text)
        all_entries = self.all_entries()
        pending = sum(e.status == PROPOSED for e in all_entries)
        accepted = [e for e in all_entries if e.status == ACCEPTED]
        by_category: dict[str, int] = {}
        for e in accepted:
            by_category[e.box.category] = by_category.get(e.box.category, 0) + 1
        counts = "、".join(f"{redaction.category_label(c)} {n}" for c, n in by_category.items()) or "无"
        if self.read_only:
            self.status.setText(f"遮盖 {len(accepted)} 处（{counts}）。选中列表中的一处，两边都显示该处。")
        else:
            self.status.setText(f"遮盖 {len(accepted)} 处（{counts}）；待确认的建议 {pending} 处"
                                + ("" if self.pages_read >= self.page_count
                                   else f"；已识别 {self.pages_read}/{self.page_count} 页"))

    def selected(self) -> tuple[int, int] | None:
        rows = self.box_table.selectionModel().selectedRows() if self.box_table.selectionModel() else []
        if not rows:
            return None
        listed = self._rows()
        r = rows[0].row()
        return listed[r] if r < len(listed) else None

    def select(self, page: int, index: int) -> None:
        """Show a box: its page, selected on the canvas and in the list, centred in view (both views)."""
        if page != self.page:
            self.pages.setCurrentRow(page)
        self._refresh((page, index))
        entry = self.entries[page][index]
        centre = QPointF((entry.box.x0 + entry.box.x1) / 2, (entry.box.y0 + entry.box.y1) / 2)
        self.canvas.centerOn(centre)
        if self.released_host.isVisible():
            self.released_canvas.centerOn(centre)
        self.category.setCurrentIndex(max(self.category.findData(entry.box.category), 0))

    def _table_selection(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.select(*chosen)

    def _canvas_selection(self) -> None:
        if getattr(self, "_updating", False):
            return
        items = [i for i in self.canvas.scene().selectedItems() if isinstance(i, BoxItem)]
        if items and self.selected() != (self.page, items[0].index):
            self.select(self.page, items[0].index)

    # -- editing -------------------------------------------------------------------------------
    def add_drawn_box(self, rect: QRectF) -> None:
        if self.read_only:
            return
        box = redaction.engine().Box(self.page, rect.left(), rect.top(), rect.right(), rect.bottom(),
                                     category=self.category.currentData(), kind="manual", source="manual")
        entries = self.page_entries()
        entries.append(Entry(box, ACCEPTED))
        self.select(self.page, len(entries) - 1)

    def accept_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.entries[chosen[0]][chosen[1]].status = ACCEPTED
        self._next_pending(chosen)

    def _next_pending(self, after: tuple[int, int]) -> None:
        """After a decision, the next box waiting for one on this page (or the same place)."""
        entries = self.entries[after[0]]
        following = [i for i in range(len(entries)) if entries[i].status == PROPOSED]
        target = next((i for i in following if i > after[1]), following[0] if following else None)
        if target is None:
            self._refresh()
        else:
            self.select(after[0], target)

    def remove_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        del self.entries[chosen[0]][chosen[1]]
        self._next_pending((chosen[0], chosen[1] - 1))

    def accept_page(self) -> None:
        for e in self.page_entries():
            e.status = ACCEPTED
        self._refresh()

    def set_category(self, code: str) -> None:
        chosen = self.selected()
        if chosen is None or self.read_only:
            return
        e = self.entries[chosen[0]][chosen[1]]
        e.box = replace(e.box, category=code)
        e.status = ACCEPTED  # choosing why it is covered is deciding to cover it
        self._refresh(chosen)

    def accepted_boxes(self) -> list:
        return [e.box for e in self.all_entries() if e.status == ACCEPTED]

    # -- work off the GUI thread -----------------------------------------------------------------
    def _start(self, title: str, job, done, label: str) -> None:
        self.progress = QProgressDialog(label, "取消", 0, max(self.page_count, 1), self)
        self.progress.setObjectName("redaction_progress")
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setValue(0)
        self.worker = Worker(self.reg.target, self.reg.today, job, self)
        self.progress.canceled.connect(self.cancel)
        self.worker.progressed.connect(self._progressed)
        self.worker.succeeded.connect(lambda result: self._finished(done, result, None))
        self.worker.failed.connect(lambda message: self._finished(done, None, message))
        self.busy_changed.emit(True)
        self.worker.start()
        self.progress.show()

    def _progressed(self, done: int, total: int) -> None:
        dialog = self.progress
        if dialog is None:
            return
        dialog.setLabelText(dialog.labelText().split("\n")[0] + f"\n第 {done}/{total} 页")
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)  # a modal progress dialog processes events here: the work may end meanwhile

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self._stop_now.set()  # a page being read by OCR is left at once (its process is stopped)
            if self.progress is not None:
                self.progress.setLabelText("正在取消…")

    def _finished(self, done, result, message: str | None) -> None:
        if self.worker is not None:
            self.worker.wait()
        self.worker = None
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.busy_changed.emit(False)
        done(result, message)

    def detect(self) -> None:
        """Propose boxes on every page (OCR where a page has no text), keeping the boxes drawn by hand."""
        if self.source is None or self.worker is not None:
            return
        names = redaction.split_names(self.names.text())
        attachment_id = self.original.id
        stop_now = self._stop_now = threading.Event()

        def job(reg, progress):
            stop = []

            def tick(done, total):
                try:
                    progress(done, total)
                except Cancelled:  # keep what was found on the pages read so far
                    stop.append(True)
            return redaction.propose_boxes(reg, attachment_id, names, progress=tick,
                                           cancelled=lambda: bool(stop) or stop_now.is_set())

        self._start("自动识别", job, self._detected, "正在识别个人信息…")

    def _detected(self, proposals: redaction.Proposals | None, message: str | None) -> None:
        if proposals is None:
            if not (message or "").startswith("已取消"):
                Ask.error(self, "自动识别", message or "")
            self._refresh()
            return
        for page in list(self.entries):
            self.entries[page] = [e for e in self.entries[page] if e.box.source == "manual"]
        for box in proposals.boxes:
            self.page_entries(box.page).append(Entry(box, PROPOSED))
        self.pages_read = proposals.pages_read
        self.text_pages = set(proposals.text_pages)
        self.show_page(self.page)
        if proposals.notice:
            self.status.setText(proposals.notice)
        if not proposals.complete:
            self.status.setText(f"已取消识别：只识别了前 {proposals.pages_read} 页（共 {self.page_count} 页），"
                                "其余各页请逐页查看并手工框选，或点“重新识别”")

    def generate(self) -> None:
        """生成公开版 from the accepted boxes, in a worker thread with progress and cancel."""
        if self.source is None or self.worker is not None:
            return
        entries = self.all_entries()
        pending = sum(e.status == PROPOSED for e in entries)
        boxes = self.accepted_boxes()
        warnings = []
        if pending:
            warnings.append(f"还有 {pending} 处建议尚未确认，未确认的建议不会遮盖。")
        if self.pages_read < self.page_count:
            warnings.append(f"第 {self.pages_read + 1} 页起没有自动识别。")
        if not boxes:
            warnings.append("没有任何遮盖框。")
        question = "".join(warnings) + f"将按 {len(boxes)} 个遮盖框生成公开版（每页转为图像，原件保留供内部使用）。继续？"
        if not Ask.confirm(self, "生成公开版", question):
            return
        attachment_id, actor, version = self.original.id, self.actor, self.expected_version

        def job(reg, progress):
            return redaction.generate_release(reg, actor, attachment_id, boxes, expected_version=version,
                                              progress=progress)

        self._start("生成公开版", job, self._generated, "正在生成公开版…")

    def _generated(self, result: redaction.Released | None, message: str | None) -> None:
        if result is None:
            self._refresh()
            if message and message.startswith("已取消"):
                self.status.setText("已取消，没有生成公开版。")
            else:
                Ask.error(self, "生成公开版", message or "")
            return
        self.result = result
        self.expected_version = None  # our own change: a second release is checked in the service again
        self._open_released(result.attachment.id)
        log = result.redaction
        self.released_label.setText(f"公开版：{log.released_name}（共 {log.pages} 页，"
                                    f"SHA-256 {log.released_sha256[:16]}…）")
        self.status.setText(f"已生成公开版“{log.released_name}”：共 {log.pages} 页，遮盖{log.totals_text()}。"
                            "已记入办理过程。")
        self.show_page(self.page)
        self.released.emit(result)

    @classmethod
    def open_window(cls, parent, reg: Registry, actor: Actor, attachment_id: int,
                    expected_version: int | None = None, redaction_log: redaction.Redaction | None = None):
        """The viewer as a window of its own (not modal: the case stays readable beside it)."""
        view = cls(reg, actor, attachment_id, expected_version, redaction_log)
        if parent is not None:
            view.setParent(parent, Qt.WindowType.Window)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.show()
        if not view.read_only:
            view.detect()
        return view
