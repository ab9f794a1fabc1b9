"""The Chargers page's pending OCPP charge points: ones that asked to join (site setting
`ocpp_pending`) and that only the owner may let in. "Accept…" binds one to a charger name
and bays (connector k → the k-th bay; `accept_charge_point`): the running site asks it to
boot again and Accepts it on the same connection. "Refuse" keeps it out for good
(`refuse_charge_point`). Read through the site client on the worker; shown only while
there is one."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.client import models as m
from stationmgr.client.ocpp_calls import AcceptChargePoint, PendingChargePoint
from ui.context import AppContext
from ui.fmt import when
from ui.forms import finish_dialog
from ui.history.times import epoch, line
from ui.offer import offer


def bay_labels(text: str) -> list[str]:
    """The bay labels typed, in connector order (comma- or space-separated)."""
    return [b for b in text.replace(",", " ").split() if b]


class AcceptDialog(QDialog):
    """Bind a pending charge point to a charger name and its bays; saved by the site."""

    def __init__(
        self, ctx: AppContext, point: PendingChargePoint, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.point = point
        self.saved: m.ChargerConfig | None = None
        self.saving = False
        self.setWindowTitle(self.tr("Accept charge point {0}").format(point.charge_point_id))
        self.setMinimumWidth(460)
        self.name = QLineEdit(point.charge_point_id[:80])
        self.name.setMaxLength(80)
        self.bays = QLineEdit()
        self.bays.setPlaceholderText(self.tr("e.g. G1, G2"))
        self.bays.setToolTip(self.tr("One bay label per connector, in connector order"))
        self.binding = QLabel()
        self.binding.setWordWrap(True)
        form = QFormLayout()
        what = " ".join(x for x in (point.vendor, point.model) if x) or "–"
        form.addRow(self.tr("Charge point"), QLabel(f"{point.charge_point_id} ({what})"))
        form.addRow(self.tr("Charger name"), self.name)
        form.addRow(self.tr("Bays"), self.bays)
        form.addRow("", self.binding)
        self.error, self.buttons = finish_dialog(self, form, self.save)
        self.bays.textChanged.connect(self._show_binding)
        self._show_binding()

    def _show_binding(self) -> None:
        labels = bay_labels(self.bays.text())
        self.binding.setText(
            "; ".join(
                self.tr("connector {0} → bay {1}").format(k, label)
                for k, label in enumerate(labels, 1)
            )
            or self.tr("Name a bay for each of the charger's connectors.")
        )

    def save(self) -> None:
        if self.saving:
            return
        name, labels = self.name.text().strip(), bay_labels(self.bays.text())
        if not name:
            self.error.setText(self.tr("Give the charger a name."))
            return
        if not labels:
            self.error.setText(self.tr("Name a bay for each of the charger's connectors."))
            return
        self.error.clear()
        self.saving = True
        client, cpid = self.ctx.client, self.point.charge_point_id

        def done(ch: m.ChargerConfig) -> None:
            self.saving = False
            self.saved = ch
            self.accept()

        def refused(e: BaseException) -> None:
            self.saving = False
            self.error.setText(line(e))

        accept = AcceptChargePoint(name, labels)
        self.ctx.worker.run(lambda: client.accept_charge_point(cpid, accept), done, refused)


class PendingBox(QGroupBox):
    """The pending charge points with Accept… and Refuse (owner only)."""

    begin = Signal()  # a change may start here: its confirmation is the next event
    changed = Signal(str)  # a charge point was accepted or refused: the page's words
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setTitle(self.tr("Charge points waiting to be accepted"))
        self.setObjectName("pendingChargePoints")
        self.points: list[PendingChargePoint] = []
        self.loads = 0
        self._busy = False
        self.dialog: AcceptDialog | None = None
        self.list = QTreeWidget()
        self.list.setObjectName("pending")
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHeaderLabels(
            [self.tr("Charge point id"), self.tr("Vendor"), self.tr("Model"), self.tr("First seen")]
        )
        self.list.setMaximumHeight(120)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda *_: self.open_accept())
        self.accept_button = QPushButton(self.tr("Accept…"))
        self.refuse_button = QPushButton(self.tr("Refuse"))
        self.accept_button.clicked.connect(self.open_accept)
        self.refuse_button.clicked.connect(lambda: self.refuse_selected())
        row = QHBoxLayout()
        row.addWidget(self.accept_button)
        row.addWidget(self.refuse_button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.list)
        self.setVisible(False)
        self._update_buttons()

    def refresh(self) -> None:
        """Re-read the list from the site (one read at a time; a failure keeps it)."""
        if self._busy:
            return
        self._busy = True
        client = self.ctx.client

        def failed(_e: BaseException) -> None:
            self._busy = False  # the page's own read says why the site is not there

        self.ctx.worker.run(client.pending_charge_points, self._show, failed)

    def _show(self, points: list[PendingChargePoint]) -> None:
        self._busy = False
        self.loads += 1
        keep = self.selected()
        keep_id = keep.charge_point_id if keep is not None else None
        self.points = points
        self.list.clear()
        loc = QLocale()
        for p in points:
            item = QTreeWidgetItem(
                [p.charge_point_id, p.vendor, p.model, when(loc, epoch(p.first_seen))]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, p.charge_point_id)
            self.list.addTopLevelItem(item)
            if p.charge_point_id == keep_id or (keep_id is None and len(points) == 1):
                self.list.setCurrentItem(item)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setVisible(bool(points))
        self._update_buttons()

    def selected(self) -> PendingChargePoint | None:
        items = self.list.selectedItems()
        cpid = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return next((p for p in self.points if p.charge_point_id == cpid), None)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        offer(self.accept_button, self.ctx, "chargers.add", also=chosen)
        offer(self.refuse_button, self.ctx, "chargers.refuse", also=chosen)

    def open_accept(self) -> AcceptDialog | None:
        point = self.selected()
        if point is None or not self.ctx.allowed("chargers.add"):
            return None
        dlg = AcceptDialog(self.ctx, point, self)
        self.dialog = dlg
        self.begin.emit()

        def closed(_r: int) -> None:
            if self.dialog is dlg:
                self.dialog = None
            if dlg.saved is not None:
                self.changed.emit(
                    self.tr("Charge point {0} accepted as charger {1}. ").format(
                        point.charge_point_id, dlg.saved.name
                    )
                )
                self.refresh()
            dlg.deleteLater()

        dlg.finished.connect(closed)
        dlg.open()
        return dlg

    def refuse_selected(self, confirm: bool = True) -> None:
        point = self.selected()
        if point is None or not self.ctx.allowed("chargers.refuse"):
            return
        cpid = point.charge_point_id
        if confirm and not self._confirm(
            self.tr(
                "Refuse charge point {0}? It may not join this site; to let it in later, add "
                "it as an OCPP charger with this charge point id."
            ).format(cpid)
        ):
            return
        client = self.ctx.client

        def done(_r: object) -> None:
            self.changed.emit(self.tr("Charge point {0} refused. ").format(cpid))
            self.refresh()

        self.begin.emit()
        self.ctx.worker.run(
            lambda: client.refuse_charge_point(cpid), done, lambda e: self.failed.emit(line(e))
        )

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Refuse"), text)
        return answer == QMessageBox.StandardButton.Yes
