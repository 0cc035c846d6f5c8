"""One scan, stage by stage (design.md's flow): `Scan.run` in scan.py drives the crawl, with the
transport stage (hosts.py: TLS scans and HTTP checks) overlapping it, then the statement
(statement.py), the parties and the checks. `scanner.pipeline` turns the result into outputs."""

from scanner.engine.hosts import HTTP_CHECKS_PER_HOST as HTTP_CHECKS_PER_HOST
from scanner.engine.scan import CRAWL_SHARE as CRAWL_SHARE
from scanner.engine.scan import Progress as Progress
from scanner.engine.scan import Scan as Scan
from scanner.engine.scan import load_result as load_result
from scanner.engine.scan import page_judges as page_judges
