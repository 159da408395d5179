"""``python -m chiprisk.cli``."""

from chiprisk.cli.main import main

main()
