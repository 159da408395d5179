"""Render the report's sections as one self-contained HTML page (no scripts, no fetches).

Every table cell is escaped; ``source_ids`` cells link to the sources table
at the end of the page, which links out to each publication (the only
external addresses in the page; nothing is loaded from them).

Examples
--------
>>> import pandas as pd
>>> '<td class=n><span class="num">1,234</span></td>' in table_html(
...     "t", pd.DataFrame({"n": [1234]}))
True
"""

from __future__ import annotations

import base64
import datetime as dt
import html

import pandas as pd

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.report.frames import _ids
from chiprisk.graph.report.sections import Section

__all__ = ["render_page", "table_html"]

_PERCENT_SUFFIXES = ("_share", "share")
_PERCENT_NAMES = {"cr1", "cr3", "top_share", "share", "owner_share", "location_share"}
_FRACTION_NAMES = {"product_loss", "direct_share", "loss", "annual_loss", "output_fraction"}


def _fmt(col: str, v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float) and not isinstance(v, bool):
        x = float(v)
        if col.startswith("hhi"):
            return f"{x:,.0f}"
        if col in _FRACTION_NAMES:
            return f"{x:.1%}"
        if col in _PERCENT_NAMES or col.endswith(_PERCENT_SUFFIXES):
            return f"{x:.1f}%"
        if x.is_integer() and col in {"year", "start_year", "rank"}:
            return str(int(x))
        if x.is_integer():
            return f"{int(x):,}"
        return f"{x:,.2f}"
    return str(v)


def _cell(col: str, v: object) -> str:
    if col in ("source_ids", "source_id"):
        ids = _ids([v])
        return " ".join(f'<a href="#src-{html.escape(i)}">{html.escape(i)}</a>' for i in ids)
    text = html.escape(_fmt(col, v))
    if isinstance(v, int | float) and not isinstance(v, bool):
        return f'<span class="num">{text}</span>'
    return text


def table_html(name: str, df: pd.DataFrame, limit: int = 2000) -> str:
    """One table as a collapsible HTML block, with a link to its CSV file.

    Parameters
    ----------
    name : str
        The table's name (its CSV is ``tables/<name>.csv``).
    df : pandas.DataFrame
        The rows; numbers are formatted by column name (HHI, percent, fraction).
    limit : int
        Rows shown; the rest are in the CSV.

    Returns
    -------
    str
        A ``<details>`` element.

    Examples
    --------
    >>> import pandas as pd
    >>> out = table_html("t", pd.DataFrame({"top_share": [55.0]}))
    >>> '<span class="num">55.0%</span>' in out, 'href="tables/t.csv"' in out
    (True, True)
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for values in df.head(limit).itertuples(index=False, name=None):
        cells = "".join(
            f"<td{' class=n' if isinstance(v, int | float) and not isinstance(v, bool) else ''}>"
            f"{_cell(str(c), v)}</td>"
            for c, v in zip(df.columns, values, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    more = (
        f"<p class=more>Showing {limit} of {len(df)} rows; all rows in "
        f'<a href="tables/{name}.csv">tables/{name}.csv</a>.</p>'
        if len(df) > limit
        else f'<p class=more>As CSV: <a href="tables/{name}.csv">tables/{name}.csv</a></p>'
    )
    return (
        f"<details open><summary>Table: {html.escape(name)} ({len(df)} rows)</summary>"
        f'<div class=scroll><table id="table-{name}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{more}</details>"
    )


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1180px;
color:#263238;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #cfd8dc;padding-bottom:.2rem;margin-top:2.4rem}
.meta{color:#607d8b;font-size:.9rem}.note{background:#fff8e1;border-left:4px solid #ffb300;
padding:.5rem .8rem}figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #eceff1}
figcaption{font-size:.85rem;color:#607d8b}table{border-collapse:collapse;font-size:.8rem}
th,td{border-bottom:1px solid #eceff1;padding:.2rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th{background:#eceff1;position:sticky;top:0}.scroll{max-height:420px;overflow:auto}
nav ul{columns:2}.more{font-size:.8rem;color:#607d8b}summary{cursor:pointer;font-weight:600}
"""


def render_page(
    tables: Tables,
    sections: list[Section],
    pngs: dict[str, bytes],
    sources: pd.DataFrame,
    year: int | None,
) -> str:
    """The report page: contents, each section's text, charts and tables, then the sources.

    Parameters
    ----------
    tables : Tables
        The checked rows (their origin and data hash go in the header).
    sections : list of Section
        In page order.
    pngs : dict of str to bytes
        Chart name -> PNG, embedded as ``data:`` URIs.
    sources : pandas.DataFrame
        The cited rows of the ``sources`` table.
    year : int or None
        The as-of year shown in the header.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.report.sections import Section
    >>> t = load_tables()
    >>> page = render_page(t, [Section("x", "X", "Intro.")], {}, t["sources"].head(0), None)
    >>> page.startswith("<!DOCTYPE html>"), "<section id='x'>" in page
    (True, True)
    """
    from chiprisk.graph.io.cache import chiprisk_version

    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        "<title>chiprisk risk report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>AI-chip supply-chain risk report</h1>",
        f"<p class=meta>chiprisk {html.escape(chiprisk_version())} &middot; data "
        f"{html.escape(str(tables.origin))} (sha256 {html.escape(tables.data_hash[:12])}) "
        f"&middot; as of {year if year is not None else 'this year, actuals'} &middot; built "
        f"{when}</p>",
        "<p>Every number below comes from a row of the dataset with a source; each table's "
        "<code>source_ids</code> link to the <a href='#sources'>sources</a> at the end. "
        "The page loads nothing from the network.</p>",
        "<nav><h2>Contents</h2><ul>",
        *[f"<li><a href='#{s.key}'>{html.escape(s.title)}</a></li>" for s in sections],
        "<li><a href='#sources'>Sources</a></li></ul></nav>",
    ]
    for s in sections:
        parts.append(f"<section id='{s.key}'><h2>{html.escape(s.title)}</h2>")
        if s.intro:
            parts.append(f"<p>{html.escape(s.intro)}</p>")
        for note in s.notes:
            parts.append(f"<p class=note>{html.escape(note)}</p>")
        for c in s.charts:
            b64 = base64.b64encode(pngs[c]).decode("ascii")
            parts.append(
                f"<figure><img id='chart-{c}' alt='{html.escape(s.title)}' "
                f"src='data:image/png;base64,{b64}'><figcaption>Chart file: "
                f"<a href='charts/{c}.png'>charts/{c}.png</a></figcaption></figure>"
            )
        for name, df in s.tables.items():
            parts.append(table_html(name, df))
        parts.append("</section>")
    parts.append("<section id='sources'><h2>Sources</h2>")
    parts.append(
        "<p>Every source the tables above cite. Links go to the publication; "
        "nothing is fetched when this page opens.</p>"
    )
    rows = []
    for r in sources.itertuples(index=False):
        url = str(r.url) if isinstance(r.url, str) else ""
        link = (
            f"<a href='{html.escape(url)}' rel='noreferrer noopener'>{html.escape(url)}</a>"
            if url.startswith(("http://", "https://"))
            else html.escape(url)
        )
        rows.append(
            f"<tr id='src-{html.escape(r.id)}'><td>{html.escape(r.id)}</td>"
            f"<td>{html.escape(str(r.title))}</td><td>{html.escape(str(r.publisher))}</td>"
            f"<td>{html.escape(_fmt('published', r.published))}</td>"
            f"<td>{html.escape(str(r.confidence))}</td><td>{link}</td></tr>"
        )
    parts.append(
        "<div class=scroll><table id='table-sources'><thead><tr><th>id</th><th>title</th>"
        "<th>publisher</th><th>published</th><th>confidence</th><th>url</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section></body></html>"
    )
    return "\n".join(parts)
