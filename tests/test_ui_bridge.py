"""The bridge batches engine-thread events into GUI-thread signals; the worker delivers
results and errors on the GUI thread."""

from __future__ import annotations

import concurrent.futures
import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from stationmgr.events import BaySnapshot, ChargerCommLost, EventBus
from stationmgr.ocpp_words import BayStatus


def snap(bay: int, at: float, power: float) -> BaySnapshot:
    return BaySnapshot(
        bay,
        f"P{bay}",
        BayStatus.CHARGING,
        at,
        at - 60,
        power,
        100.0,
        "t",
        None,
        None,
        at - 50,
        at,
        at - 55,
        None,
        True,
    )


def test_snapshots_coalesce_per_bay_and_events_keep_order(qtbot) -> None:
    from ui.bridge import EngineBridge

    bus = EventBus()
    bridge = EngineBridge(bus, interval_ms=10_000)  # flushed by hand below
    got_snaps: list[dict[int, BaySnapshot]] = []
    got_events: list[list[object]] = []
    threads: list[object] = []
    bridge.snapshots.connect(
        lambda d: (got_snaps.append(d), threads.append(QThread.currentThread()))
    )
    bridge.events.connect(got_events.append)

    def engine_thread() -> None:  # what the engine does: publish from its own thread
        for i in range(500):
            bus.publish(snap(1 + i % 4, 1000.0 + i, float(i)))
            if i % 100 == 0:
                bus.publish(ChargerCommLost(1, "c1", 1000.0 + i, f"n{i}"))

    t = threading.Thread(target=engine_thread)
    t.start()
    t.join()
    bridge.flush()
    assert len(got_snaps) == 1
    batch = got_snaps[0]
    assert sorted(batch) == [1, 2, 3, 4]
    assert batch[4].power_w == 499.0 and batch[1].power_w == 496.0  # the newest of each bay
    assert [e.detail for e in got_events[0]] == ["n0", "n100", "n200", "n300", "n400"]
    assert threads[0] is QApplication.instance().thread()
    assert bridge.received == 505
    bridge.flush()  # nothing new: nothing emitted
    assert len(got_snaps) == 1
    bridge.close()
    bus.publish(snap(1, 2000.0, 1.0))  # unsubscribed: ignored
    bridge.flush()
    assert len(got_snaps) == 1


def test_bridge_flushes_on_its_timer(qtbot) -> None:
    from ui.bridge import EngineBridge

    bus = EventBus()
    bridge = EngineBridge(bus, interval_ms=50)
    got: list[dict[int, BaySnapshot]] = []
    bridge.snapshots.connect(got.append)
    for i in range(20):
        bus.publish(snap(7, 1.0 + i, float(i)))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got[0][7].power_w == 19.0
    assert bridge.latest[7].power_w == 19.0
    bridge.close()


def test_worker_delivers_result_and_error_on_gui_thread(qtbot) -> None:
    from ui.worker import Worker

    w = Worker()
    results: list[tuple[str, object, object]] = []
    gui = QApplication.instance().thread()
    w.run(
        lambda: threading.current_thread().name,
        lambda r: results.append(("ok", r, QThread.currentThread())),
    )

    def boom() -> None:
        raise ValueError("bad row")

    w.run(boom, None, lambda e: results.append(("err", e, QThread.currentThread())))
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()
    w.wait_future(fut, lambda r: results.append(("fut", r, QThread.currentThread())))
    threading.Timer(0.05, lambda: fut.set_result(42)).start()
    qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
    by = {k: (v, th) for k, v, th in results}
    assert by["ok"][0] != threading.current_thread().name  # ran elsewhere
    assert isinstance(by["err"][0], ValueError)
    assert by["fut"][0] == 42
    assert all(th is gui for _v, th in by.values())
    assert w.pending == 0
    w.shutdown()
