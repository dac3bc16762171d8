"""Governance: who can change the model (``access``) and whose data it learned from (``privacy``)."""
