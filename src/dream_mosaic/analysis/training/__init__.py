"""Training and cross-validation helpers for the learned parts of the analysis (seeded, reproducible)."""
