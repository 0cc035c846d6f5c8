"""Registrable domains and the first party now live in scanner/domains.py (shared by the crawl,
the scope, the parties stage and the checks); these names are re-exported for existing imports."""

from scanner.domains import FirstParty as FirstParty
from scanner.domains import host_of as host_of
from scanner.domains import is_ip_address as is_ip_address
from scanner.domains import is_public_suffix as is_public_suffix
from scanner.domains import registrable_domain as registrable_domain
from scanner.domains import same_site as same_site
