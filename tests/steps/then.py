"""Then steps of the specs (pytest-bdd)."""
