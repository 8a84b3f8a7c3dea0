"""Given steps of the specs (pytest-bdd)."""
