"""stationmgr core: everything a charging site needs that is not a window.

The core never imports Qt (a CI contract enforces it), so the same code runs headless,
under tests and behind the desktop app.
"""

__version__ = "0.1.0"
