"""OCPP 1.6J central system: charge points connect to the site over WebSocket.

- `endpoint`: the aiohttp server, the upgrade (charge point id, subprotocol, HTTP Basic).
- `rpc`: OCPP-J frames in and out, with the `ocpp` package's schemas.
- `handlers`: the Core profile, answered for one connected charge point.
- `mapping`: what each message does to the bay state machine's model (pure).
- `records`: what is recorded beyond the session model (reconciliation, fault details).
- `upkeep`: what is kept in step on each connected charger: `locallist` (SendLocalList)
  and `profiles` (SetChargingProfile).
"""
