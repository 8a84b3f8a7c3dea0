"""The ``followup`` command line; ``followup.transaction`` owns each command's transaction
around the workflow operations."""
