"""Scheduled scans: scan-all's configuration, the documented schedules, and two real scans of
one loopback site with a change between them, through history, diff and report.json."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scanner.cli import build_parser, main
from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, Response, SiteServer
from scanner.store import HistoryStore

ROOT = Path(__file__).resolve().parent.parent

# -- sites.toml ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no [[site]] tables"),
        ('[[site]]\nurl = "https://a.test/"\nmax_pagez = 3\n', "site 1: max_pagez"),
        ("[[site]]\nresolve = []\n", "site 1: a [[site]] needs a url"),
        (
            '[[site]]\nurl = "https://a.test/"\n[[site]]\nurl = "https://b.test/"\nfail_on = "x"\n',
            "site 2: fail_on",
        ),
        ('[[site]]\nurl = "https://a.test/"\nca_bundle = "nope.pem"\n', "nope.pem: no such file"),
        ('[[site]]\nurl = "https://a.test/"\n[[site]]\nurl = "https://a.test/x"\n', "like an"),
        ("[scan]\nurl = 1\n", "unknown key 'scan'"),
    ],
)
def test_a_bad_sites_file_exits_2_before_any_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(text)

    assert main(["scan-all", str(sites), "--db", str(tmp_path / "h.sqlite")]) == 2

    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "h.sqlite").exists() and not Path("out/a.test").exists()


def test_parallel_is_limited_to_the_cores(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text('[[site]]\nurl = "https://a.test/"\n')
    assert main(["scan-all", str(sites), "--parallel", "999"]) == 2
    assert main(["scan-all", str(sites), "--parallel", "0"]) == 2


# -- docs/scheduling.md ------------------------------------------------------------------------


def documented_commands() -> list[list[str]]:
    """Every `complyscan ...` command line in docs/scheduling.md (continuations joined)."""
    text = (ROOT / "docs" / "scheduling.md").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for match in re.finditer(r"complyscan ((?:scan|scan-all|history|diff) [^\n`]*)", text):
        line = re.split(r"\s+(?:>>?|\|\||&&|#)\s", match.group(1))[0]
        commands.append(line.replace('"', "").split())
    return commands


def test_the_documented_schedules_parse_with_the_cli() -> None:
    commands = documented_commands()
    assert len(commands) >= 4  # cron, systemd, CI, history
    for argv in commands:
        args = build_parser().parse_args(argv)
        if args.command == "scan":
            assert args.db is not None, argv


# -- two real scans of one site ----------------------------------------------------------------

SITE = "www.history-tea.test"
PIXEL_HOST = "px.newpixel-ads.test"
PIXEL_PARTY = "unknown recipient newpixel-ads.test"
"""How reports name the pixel's recipient: no vendor data knows it."""
STATEMENT_1 = """<!doctype html><title>Privacy</title><main><h1>Privacy statement</h1>
<p>We use cookies to keep you signed in.</p>
<p>Every page where you enter personal information is protected with SSL encryption.</p>
</main>"""
SHARING = "<p>We may share your data with advertising partners.</p>\n"
STATEMENT_2 = STATEMENT_1.replace("<p>We use cookies", SHARING + "<p>We use cookies")
HOME = '<!doctype html><title>Tea</title><h1>Tea</h1><a href="/privacy">Privacy policy</a>'
PIXEL_TAG = f'<img src="https://{PIXEL_HOST}/p.gif?cid=42&ev=pageview" alt="">'
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def hosts(home: str, statement: str) -> list[Host]:
    hsts = {"Strict-Transport-Security": "max-age=63072000"}
    return [
        Host(SITE, headers=hsts, routes={"/": Response(home), "/privacy": Response(statement)}),
        Host(PIXEL_HOST, routes={"/p.gif": Response(GIF, content_type="image/gif")}),
    ]


def scan_args(server: SiteServer, out: Path, db: Path) -> list[str]:
    resolve = [arg for rule in server.resolve_rules() for arg in ("--resolve", rule)]
    return [
        *resolve,
        "--only-resolved",
        "--ca-bundle",
        server.ca_pem,
        "--out",
        str(out),
        "--db",
        str(db),
        "--max-pages",
        "3",
        "--workers",
        "1",
        "--format",
        "json,html",
        "--fail-on",
        "none",
    ]


def same_ca_fresh_leaves(pki: TestPKI, directory: Path) -> TestPKI:
    """The session's CA, reopened in a directory of its own: it issues new leaf certificates
    (new serial and key) for names it issued before, as a renewal does."""
    directory.mkdir()
    for name in ("ca.pem", "ca-key.pem", "intermediate.pem", "intermediate-key.pem"):
        shutil.copy(pki.directory / name, directory / name)
    return TestPKI.create(directory)


def _hex(fingerprint: str) -> str:
    return fingerprint.replace(":", "").lower()


@pytest.mark.browser
@pytest.mark.tls
def test_two_scheduled_scans_report_what_changed(
    pki: TestPKI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "history.sqlite"
    # Given a first scan of the site
    with SiteServer(hosts(HOME, STATEMENT_1), pki) as first:
        url = first.url(SITE)
        assert main(["scan", url, *scan_args(first, tmp_path / "one", db)]) == 0
        first_sha = _hex(first.cert_of(SITE).sha256)
    one = json.loads((tmp_path / "one" / "report.json").read_text())
    assert one["changes"] is None and one["complete"]

    # When the site gains a third-party pixel, edits its statement and renews its certificate,
    # and the second scan runs from a sites.toml
    renewed = same_ca_fresh_leaves(pki, tmp_path / "pki2")
    with SiteServer(hosts(HOME + PIXEL_TAG, STATEMENT_2), renewed) as second:
        assert second.url(SITE) == url, "the site must keep its origin between the scans"
        second_sha = _hex(second.cert_of(SITE).sha256)
        assert second_sha != first_sha
        out = tmp_path / "two"
        table = "\n".join(
            [
                "[[site]]",
                f'url = "{url}"',
                f"resolve = {json.dumps(second.resolve_rules())}",
                "only_resolved = true",
                f'ca_bundle = "{second.ca_pem}"',
                f'out = "{out}"',
                "max_pages = 3",
                "workers = 1",
                'fail_on = "none"',
            ]
        )
        (tmp_path / "sites.toml").write_text(table + "\n")
        capsys.readouterr()
        assert main(["scan-all", str(tmp_path / "sites.toml"), "--db", str(db)]) == 0
    summary = capsys.readouterr().out.strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith(f"{url}: passed")

    # Then the second report carries exactly those changes
    two = json.loads((out / "report.json").read_text())
    changes = two["changes"]
    assert changes["vendors"] == {"added": [PIXEL_PARTY], "removed": []}
    assert changes["cookies"] == {"added": [], "removed": []}
    (tls,) = changes["tls"]
    assert (tls["host"], tls["status"], tls["certificate_renewed"]) == (SITE, "changed", True)
    assert [_hex(tls["sha256_before"]), _hex(tls["sha256_after"])] == [first_sha, second_sha]
    assert tls["protocols_added"] == tls["protocols_removed"] == []
    assert changes["statement_changed"]
    added = [line for line in changes["statement_diff"] if line.startswith("+")]
    assert "+We may share your data with advertising partners." in added
    new_rules = {f["rule_id"] for f in changes["new"]}
    assert "statement-changed" in new_rules
    assert new_rules <= {
        "statement-changed",
        "beacon-undisclosed-vendor",
        "beacons-not-disclosed",
        "advertising-tracker",
    }
    assert changes["resolved"] == []
    (changed,) = [f for f in two["findings"] if f["rule_id"] == "statement-changed"]
    assert "+We may share your data with advertising partners." in changed["evidence"]["diff"]
    html = (out / "report.html").read_text()
    assert "What changed since the previous scan" in html and PIXEL_PARTY in html

    # And history lists both scans, and diff by id says the same as report.json
    with HistoryStore(db) as store:
        ids = [row.id for row in store.scans(url)]
    assert len(ids) == 2
    capsys.readouterr()
    assert main(["history", "--db", str(db), "--site", url]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and all(f"{url.rstrip('/')}  passed" in line for line in lines)
    assert main(["diff", str(ids[0]), str(ids[1]), "--db", str(db), "--json"]) == 0
    by_id = json.loads(capsys.readouterr().out)
    assert by_id["new"] == changes["new"] and by_id["tls"] == changes["tls"]
    assert main(["diff", str(tmp_path / "one" / "report.json"), str(out / "report.json")]) == 0
    text = capsys.readouterr().out
    assert f"+ vendor: {PIXEL_PARTY}" in text
    assert f"~ tls {SITE}:{tls['port']}: certificate renewed" in text
    assert "+ new finding: " in text and "statement-changed" in text


@pytest.mark.browser
def test_a_damaged_db_is_exit_2_after_the_reports_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "history.sqlite"
    db.write_bytes(b"not a database at all\n")
    out = tmp_path / "out"
    argv = ["scan", "https://www.unreachable.test/", "--resolve", "www.unreachable.test:127.0.0.1"]

    code = main([*argv, "--only-resolved", "--out", str(out), "--max-pages", "1", "--db", str(db)])

    assert code == 2
    assert json.loads((out / "report.json").read_text())["complete"] is False
    err = capsys.readouterr().err
    assert f"complyscan: error: history store {db}: not an SQLite file" in err
    assert db.read_bytes() == b"not a database at all\n"
