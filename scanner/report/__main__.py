"""`python -m scanner.report schema`: print the JSON Schema of report.json.

Regenerate the committed copy with `python -m scanner.report schema > schema/report.schema.json`.
"""

from __future__ import annotations

import json
import sys

from scanner.report import json_schema


def main(argv: list[str] | None = None) -> int:
    """Print the schema (the only command); exit 2 on anything else."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["schema"]:
        print("usage: python -m scanner.report schema", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
