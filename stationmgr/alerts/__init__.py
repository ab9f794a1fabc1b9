"""Session duration intelligence: expected ends, alerts, capacity reports, rotation hints.

- ``estimator``: ``estimate_end(...)``, ``rotation_hint(...)`` (pure);
- ``rules``: which alert conditions hold (pure), thresholds in site setting ``alerts``;
- ``monitor``: ``install(engine)`` raises/clears ``AlertRaised``/``AlertCleared`` on the bus;
- ``service``: list and acknowledge alerts (audited);
- ``capacity`` and ``report_pdf``: capacity figures for a date range, and their PDF.
"""
