"""`python -m scanner.cli`: the `complyscan` command."""

import sys

from scanner.cli import main

sys.exit(main())
