"""python -m govmail: the same as the govmail command."""

from govmail.cli import main

main()
