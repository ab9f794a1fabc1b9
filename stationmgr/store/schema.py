"""Every table of the application on one metadata (what Alembic migrates).

Each domain keeps its tables in its own module; importing them here registers them on
`Base.metadata`. Add a new table module to this list.
"""

import stationmgr.store.alert_models
import stationmgr.store.billing_models
import stationmgr.store.locallist_models  # noqa: F401  (OCPP chargers' local lists)
from stationmgr.store import models, ocpp_models  # noqa: F401  (core; OCPP log, guest tags)
from stationmgr.store.models import Base

metadata = Base.metadata
