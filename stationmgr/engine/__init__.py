"""The runtime: engine thread, coordinators, single writer."""

from stationmgr.engine.engine import Engine, EngineConfig

__all__ = ["Engine", "EngineConfig"]
