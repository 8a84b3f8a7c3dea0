"""When steps of the specs (pytest-bdd)."""
