"""Virtual chargers, EVs and card readers for tests, benchmarks and the demo site.

`device` holds the physics (pure, advanced by a clock); protocol simulators wrap it and
speak the real bytes on a pty or TCP, sharing no code path with the drivers.
"""
