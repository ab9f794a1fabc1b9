"""Session duration intelligence in the desktop app: the alerts page (alert log with
acknowledge, rotation hint) and the capacity page (pyqtgraph charts, PDF export)."""
