"""Entry point of the bundled program (PyInstaller): the same `stationmgr` command line.

`multiprocessing.freeze_support()` keeps a frozen Windows build from re-running main in
child processes.
"""

import multiprocessing
import sys

from stationmgr.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
