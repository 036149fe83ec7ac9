"""Circles: groups that dream together, with guides, capacity and an attribution mode."""
