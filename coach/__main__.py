"""`python -m coach`: the command line."""

from coach.cli import main

raise SystemExit(main())
