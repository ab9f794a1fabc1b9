"""Billing in the desktop app: the accountant's view and the owner's tariff editor."""
