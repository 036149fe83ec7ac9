"""Governance: accounts and roles, and the tamper-evident audit log guardians read."""
