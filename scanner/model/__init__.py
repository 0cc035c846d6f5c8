"""The one vocabulary every stage of a scan shares.

Each stage of design.md reads these models and adds to them; report.json is `ScanResult` dumped
to JSON, and its JSON Schema (`complyscan schema`) is a public, versioned contract: fields may be
added, never renamed or removed, without a new `SCHEMA_VERSION`. Every field is described by its
attribute docstring (or its Field description), which the schema carries; docs/report-format.md
says what changed between versions."""

from scanner.model.base import SCHEMA_VERSION as SCHEMA_VERSION
from scanner.model.base import BeaconKind as BeaconKind
from scanner.model.base import FailOn as FailOn
from scanner.model.base import FindingStatus as FindingStatus
from scanner.model.base import FormMethod as FormMethod
from scanner.model.base import HostRole as HostRole
from scanner.model.base import Model as Model
from scanner.model.base import PIKind as PIKind
from scanner.model.base import Severity as Severity
from scanner.model.base import VendorCategory as VendorCategory
from scanner.model.crawl import Beacon as Beacon
from scanner.model.crawl import Cookie as Cookie
from scanner.model.crawl import Form as Form
from scanner.model.crawl import FormField as FormField
from scanner.model.crawl import Leak as Leak
from scanner.model.crawl import Page as Page
from scanner.model.crawl import Request as Request
from scanner.model.findings import ClaimRef as ClaimRef
from scanner.model.findings import Evidence as Evidence
from scanner.model.findings import Finding as Finding
from scanner.model.findings import FindingBrief as FindingBrief
from scanner.model.result import AddedRemoved as AddedRemoved
from scanner.model.result import ChangedFinding as ChangedFinding
from scanner.model.result import Changes as Changes
from scanner.model.result import GateCounts as GateCounts
from scanner.model.result import PreviousScan as PreviousScan
from scanner.model.result import ScanResult as ScanResult
from scanner.model.result import Summary as Summary
from scanner.model.result import TlsChange as TlsChange
from scanner.model.result import ToolInfo as ToolInfo
from scanner.model.statement import Claim as Claim
from scanner.model.statement import ClaimKind as ClaimKind
from scanner.model.statement import CookieCategory as CookieCategory
from scanner.model.statement import DeclaredCookie as DeclaredCookie
from scanner.model.statement import Statement as Statement
from scanner.model.statement import StatementDocument as StatementDocument
from scanner.model.transport import Certificate as Certificate
from scanner.model.transport import HostSecurity as HostSecurity
from scanner.model.transport import HttpCheck as HttpCheck
from scanner.model.transport import TlsResult as TlsResult
