"""`python -m generator` is the same as `wlsite`."""

from generator.cli import main

main()
