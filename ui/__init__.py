"""The Qt layer (PySide6 + pyqtgraph): a thin skin over `stationmgr`, no business logic."""
