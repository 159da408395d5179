"""chiprisk.cli: the ``chiprisk`` command line (click only)."""
