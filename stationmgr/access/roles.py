"""Roles and the permission table, as data.

- owner: everything (configures chargers, tariffs, cards, operators; reads the audit log).
- attendant: the bay board, starts a guest session, stops one, marks a bay out of order,
  acknowledges alerts and faults, reads cards and the charging history.
- accountant: history, receipts, statements, corrections and exports; read-only elsewhere,
  never touches a charger.

An action name is `<what>.<verb>`. Checking an unknown name is a programming error
(`KeyError`), so a typo in a service can never silently allow or refuse.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ATTENDANT = "attendant"
    ACCOUNTANT = "accountant"


# action -> what it means (shown in refusals and in the GUI's operators dialog)
ACTIONS: dict[str, str] = {
    # the bay board and the engine's services
    "bays.view": "watch the bay board",
    "bays.remote_start": "start a session without a card (guest)",
    "bays.remote_stop": "stop a running session",
    "bays.out_of_order": "mark a bay out of order or back in service",
    "alerts.acknowledge": "acknowledge an alert",
    "faults.acknowledge": "acknowledge or clear a fault",
    "site.run": "run the site's engine",
    # cards
    "cards.read": "look up cards",
    "cards.add": "enrol a card",
    "cards.edit": "change, block or unblock a card",
    "cards.import": "import cards from a file",
    "cards.export": "export cards to a file",
    # history and money
    "sessions.read": "read the charging history",
    "sessions.export": "export the charging history",
    "receipts.read": "read receipts",
    "receipts.issue": "issue a receipt",
    "statements.create": "create monthly statements",
    "billing.export": "export billing data",
    "billing.correct": "record a correction to a finished session",
    "invoices.read": "read invoices and credit notes",
    "invoices.issue": "issue invoices and credit notes",
    "invoices.pay": "register payments of invoices",
    "buyers.edit": "set the invoice details of card holders and groups",
    "months.close": "close a month for the bookkeeping (never reopened)",
    "anchors.export": "write the ledger's head code to the anchor file",
    "tariffs.read": "read tariffs",
    "tariffs.edit": "create or change a tariff",
    # configuration
    "chargers.read": "read the charger configuration",
    "chargers.add": "add a charger or card reader",
    "chargers.edit": "change a charger or card reader",
    "chargers.remove": "remove a charger or card reader",
    "chargers.unlock": "unlock a bay's connector on the charger (a stuck cable)",
    "chargers.maintain": "reset a charger, clear its cache or ask it for a message",
    "chargers.configure": "change a charger's own configuration keys",
    "chargers.refuse": "refuse a pending OCPP charge point (it may not join the site)",
    "settings.read": "read the site settings (seller details, accounts, alert thresholds)",
    "settings.edit": "change the site settings",
    "secrets.manage": "store or delete credentials for chargers, gateways and mail",
    "db.maintain": "inspect and maintain the database",
    # people and the trail
    "operators.read": "list operators",
    "operators.manage": "add, reset or disable operators",
    "audit.read": "read the audit log",
    "audit.export": "export the audit log",
    "audit.seal": "key and anchor an audit log written by an older version",
    "verify": "check the ledger and the audit chain",
    "demo.run": "run the demo site (only ever on a database of its own)",
}

_READ_ALL = {
    "bays.view",
    "settings.read",
    "cards.read",
    "sessions.read",
    "receipts.read",
    "tariffs.read",
    "chargers.read",
}

PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.OWNER: frozenset(ACTIONS),
    Role.ATTENDANT: frozenset(
        _READ_ALL
        | {
            "bays.remote_start",
            "bays.remote_stop",
            "bays.out_of_order",
            "chargers.unlock",
            "alerts.acknowledge",
            "faults.acknowledge",
            "site.run",
        }
    ),
    Role.ACCOUNTANT: frozenset(
        _READ_ALL
        | {
            "sessions.export",
            "receipts.issue",
            "statements.create",
            "billing.export",
            "billing.correct",
            "invoices.read",
            "invoices.issue",
            "invoices.pay",
            "buyers.edit",
            "months.close",
            "anchors.export",
            "cards.export",
            "verify",
        }
    ),
}


# Names the desktop app used before this table existed → the table's names.
ACTION_ALIASES: dict[str, str] = {
    "session.start_guest": "bays.remote_start",
    "session.stop": "bays.remote_stop",
    "bay.out_of_order": "bays.out_of_order",
    "fault.acknowledge": "faults.acknowledge",
    "alert.acknowledge": "alerts.acknowledge",
}


def canonical(action: str) -> str:
    return ACTION_ALIASES.get(action, action)


def parse_role(text: str) -> Role:
    """A role from its name; ValueError naming the choices otherwise."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {text!r}: expected one of {choices}") from None


def role_may(role: Role | str, action: str) -> bool:
    """Whether `role` may do `action` (KeyError for an action nobody declared)."""
    action = canonical(action)
    if action not in ACTIONS:
        raise KeyError(f"undeclared action {action!r}: add it to access.roles.ACTIONS")
    return action in PERMISSIONS[Role(role)]


def roles_for(action: str) -> list[Role]:
    """The roles allowed to do `action` (named in refusal messages)."""
    return [r for r in Role if role_may(r, action)]
