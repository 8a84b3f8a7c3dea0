"""The ``followup`` command line: owns the transaction around workflow operations."""
