"""The bay board: one tile per bay, live curves, attendant actions."""
