"""The HTML report: builds, loads nothing from the network, renders in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import chiprisk.graph as cg
from chiprisk.graph.errors import UsageError
from chiprisk.graph.report.html import STEPS, build_report

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
# Chromium's own services; the page never names them, and with the proxy
# pointing at a closed port their requests fail before leaving the machine.
BROWSER_HOSTS = {
    "clients2.google.com",
    "update.googleapis.com",
    "accounts.google.com",
    "google.com",
    "www.google.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "redirector.gvt1.com",
    "safebrowsingohttpgateway.googleapis.com",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    steps: list[str] = []
    out = build_report(cg.load(), tmp_path_factory.mktemp("r") / "out", progress=steps.append)
    assert steps == list(STEPS)
    return out


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loaded: list[tuple[str, str, str]] = []  # (tag, attr, value) fetched on load
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for attr in ("src", "srcset", "data", "poster", "background"):
            if a.get(attr):
                self.loaded.append((tag, attr, a[attr]))
        if tag == "link" and a.get("href"):
            self.loaded.append((tag, "href", a["href"]))


def _parse(report: Path) -> tuple[_Refs, str]:
    text = (report / "index.html").read_text(encoding="utf-8")
    p = _Refs()
    p.feed(text)
    return p, text


def test_layout_charts_and_tables(report):
    assert sorted(p.name for p in report.iterdir()) == [
        ".chiprisk-output.json",  # the marker: what the report wrote (io/outdir.py)
        "charts",
        "index.html",
        "tables",
    ]
    charts = {p.stem for p in (report / "charts").glob("*.png")}
    assert {"concentration", "stage_countries", "site_map", "exposure", "chokepoints"} <= charts
    for png in (report / "charts").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tables = {p.stem for p in (report / "tables").glob("*.csv")}
    assert {
        "concentration",
        "stage_countries",
        "sites",
        "exposure",
        "chokepoints",
        "sources",
    } <= tables
    assert not list(report.parent.glob(".out.*")), "temporary build directory left behind"


def test_html_loads_only_embedded_data(report):
    p, text = _parse(report)
    assert not {"script", "link", "iframe", "object", "embed"} & set(p.tags)
    assert p.loaded, "no images in the report"
    for tag, attr, value in p.loaded:
        assert value.startswith("data:image/png;base64,"), (tag, attr, value[:80])
    assert "@import" not in text and "url(" not in text
    # external addresses appear only as links to the sources (never loaded)
    for href in p.links:
        if href.startswith(("http://", "https://")):
            assert href in set(pd.read_csv(report / "tables" / "sources.csv")["url"])


def test_every_cited_source_is_listed_and_linked(report):
    p, text = _parse(report)
    sources = pd.read_csv(report / "tables" / "sources.csv")
    cited = set()
    for csv in (report / "tables").glob("*.csv"):
        df = pd.read_csv(csv)
        for col in ("source_ids", "source_id"):
            if col in df.columns and csv.stem != "sources":
                for v in df[col].dropna():
                    cited.update(x for x in str(v).split(";") if x)
    assert cited and cited <= set(sources["id"])
    for sid in cited:
        assert f"src-{sid}" in p.ids, sid
        assert f'href="#src-{sid}"' in text, sid
    assert set(sources["id"]) <= cited  # no source listed that nothing cites


def test_numbers_are_formatted_by_their_semantics(report):
    _, text = _parse(report)
    conc = text[text.index("table-concentration") :]
    row = conc[conc.index(">euv-lithography<") :][:2000]
    assert ">10,000<" in row  # HHI as an integer with a thousands separator
    assert ">100.0%<" in row  # cr1 in percent
    exp = text[text.index("table-exposure") :][:20000]
    assert re.search(r">\d{1,3}\.\d%<", exp)  # product_loss (0..1) shown in percent


def test_sections_present_or_say_why_not(report):
    _, text = _parse(report)
    for key in (
        "concentration",
        "stage_countries",
        "site_map",
        "exposure",
        "chokepoints",
        "scenarios",
        "policies",
        "coverage",
        "sources",
    ):
        assert f"id='{key}'" in text, key
    kg = cg.load()
    if not hasattr(kg, "policies"):
        assert "Not available in this version" in text


def test_rebuild_replaces_atomically_and_bad_target_is_a_usage_error(tmp_path):
    kg = cg.load()
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(UsageError, match="not a directory"):
        build_report(kg, target)
    with pytest.raises(UsageError, match="parent"):
        build_report(kg, tmp_path / "missing" / "out")


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)",
)
def test_renders_in_headless_chromium_with_no_network(report, tmp_path):
    # The report's own markup, plus a probe script that reports how many
    # images decoded and how many http(s) resources the page loaded.
    probe = (
        "<script>window.addEventListener('load',()=>{"
        "const im=[...document.images];"
        "const ok=im.filter(i=>i.complete&&i.naturalWidth>100&&i.naturalHeight>100).length;"
        "const net=performance.getEntriesByType('resource')"
        ".filter(r=>/^https?:/.test(r.name)).length;"
        "document.title='PROBE '+ok+'/'+im.length+' net='+net;});</script>"
    )
    html = (report / "index.html").read_text(encoding="utf-8")
    page = report / "probe.html"
    page.write_text(html.replace("</body>", probe + "</body>"), encoding="utf-8")
    netlog = tmp_path / "net.json"
    base = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--proxy-server=127.0.0.1:9",  # the discard port: nothing listens there
    ]
    dom = subprocess.run(
        [
            *base,
            f"--user-data-dir={tmp_path / 'u1'}",
            f"--log-net-log={netlog}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    title = re.search(r"<title>(PROBE [^<]*)</title>", dom.stdout)
    assert title, dom.stderr[-2000:]
    m = re.match(r"PROBE (\d+)/(\d+) net=(\d+)", title.group(1))
    ok, total, net = map(int, m.groups())
    assert total >= 5 and ok == total, title.group(1)  # every chart and the map decoded
    assert net == 0
    hosts = set(re.findall(r'"https?://([^/":\s]+)', netlog.read_text(encoding="utf-8")))
    assert hosts <= BROWSER_HOSTS, hosts - BROWSER_HOSTS

    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            *base,
            f"--user-data-dir={tmp_path / 'u2'}",
            "--window-size=1280,2400",
            f"--screenshot={shot}",
            (report / "index.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(shot)[..., :3]
    colours = np.unique((img.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    assert len(colours) > 200, "the screenshot is blank"
    # the concentration chart's stage colours (tab10 blue) are on screen
    assert np.any(np.all(np.abs(img - np.array([31, 119, 180]) / 255) < 0.02, axis=-1))
    assert json.dumps  # keep json imported for debugging output
