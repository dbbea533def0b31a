"""`python -m crossover` runs the command line."""

from crossover.cli import main

main()
