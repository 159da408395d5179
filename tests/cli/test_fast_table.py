"""The direct table layout prints exactly what rich prints, or steps aside.

Every table here is also laid out by rich itself, with the console
:func:`chiprisk.cli.options.to_table` uses when the output is not a terminal;
the direct layout must give the same text (or None, to let rich do it), and
it must be taken for tables of words and numbers, wrapped or not.
"""

import io
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text

from chiprisk.cli import fast_table, options
from chiprisk.graph.knowledge_graph import load


def _rich(title, caption, heads, justify, rows, width) -> str:
    """rich's own text for the table ``to_table`` builds, off a terminal."""
    table = Table(
        title=Text(title) if title else None,
        caption=Text(caption) if caption else None,
        show_lines=False,
        header_style="bold",
    )
    for head, j in zip(heads, justify, strict=True):
        table.add_column(Text(head), justify=j, overflow="fold")
    for row in rows:
        table.add_row(*(Text(c) for c in row))
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, no_color=True).print(table)
    return buf.getvalue()


def _natural_width(heads, rows) -> int:
    """The table's width were no cell wrapped."""
    cols = list(zip(heads, *rows, strict=True))
    return sum(max(map(len, col)) + 3 for col in cols) + 1


def _both(df, title, width, monkeypatch, **kw):
    """(the direct layout's text or None, rich's text) for one table of ``to_table``;
    ``_both.natural`` is the width the table would have unwrapped."""
    direct = []
    real = fast_table.plain_table

    def spy(*args):
        _both.natural = _natural_width(args[2], args[4])
        direct.append(real(*args))
        return direct[-1]

    with monkeypatch.context() as m:
        m.setattr(fast_table, "plain_table", spy)
        fast = options.to_table(df, title=title, width=width, **kw)
    with monkeypatch.context() as m:
        m.setattr(fast_table, "plain_table", lambda *a: None)
        slow = options.to_table(df, title=title, width=width, **kw)
    assert fast == slow
    return direct[0], slow


@pytest.fixture(scope="module")
def kg():
    return load()


@pytest.fixture(scope="module")
def command_tables():
    """The tables ``summary``, ``simulate`` and ``outlook`` print: what each
    passes to ``to_table`` (run through the CLI, not a terminal)."""
    from click.testing import CliRunner

    from chiprisk.cli.main import cli

    calls = []
    real = options.to_table

    def record(df, title=None, width=None, **kw):
        calls.append((df, title, kw))
        return real(df, title=title, width=width, **kw)

    commands = [["summary"], ["simulate", "taiwan-strait-blockade"], ["outlook"]]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(options, "to_table", record)
        for args in commands:
            result = CliRunner().invoke(cli, ["--no-cache", *args], catch_exceptions=False)
            assert result.exit_code == 0, result.output
    return calls


@pytest.mark.parametrize("width", [120, 80])
def test_the_commands_tables_take_the_direct_path_and_match_rich(
    command_tables, width, monkeypatch
):
    assert len(command_tables) >= 8
    wrapped = 0
    for df, title, kw in command_tables:
        direct, slow = _both(df, title, width, monkeypatch, **kw)
        assert direct is not None, title
        assert direct == slow, title
        assert max(map(len, slow.splitlines())) <= width
        wrapped += _both.natural > width
    assert wrapped  # the point: tables too wide, which rich folds


def test_other_tables_and_widths_take_the_direct_path_and_match_rich(kg, monkeypatch):
    frames = {
        "concentration": kg.concentration("hbm", by="all"),
        "simulate, every column": kg.simulate("taiwan-strait-blockade").head(20),
    }
    for name, df in frames.items():
        for width in (200, 60, 40):
            direct, slow = _both(df, f"{name} (title)", width, monkeypatch)
            assert direct is not None, name
            assert direct == slow, name
            assert len(slow.splitlines()) >= len(df) + 4


def test_narrow_tables_and_long_titles_wrap_as_rich_wraps_them(kg, monkeypatch):
    df = kg.concentration("hbm", by="all")
    direct, slow = _both(df, "a title far too long for a table this narrow " * 3, 60, monkeypatch)
    assert direct == slow
    assert "hbm" in slow


def test_what_it_does_not_lay_out_falls_back():
    plain = fast_table.plain_table
    assert plain(None, None, ["a"], ["left"], [["x\ny"]], 80) is None  # a line break
    assert plain(None, None, ["a"], ["left"], [["x\u200dy"]], 80) is None  # not printable
    assert plain("x\ty", None, ["a"], ["left"], [["x"]], 80) is None
    # more columns than the console has room for borders: rich crops the lines
    assert plain(None, None, ["a"] * 30, ["left"] * 30, [["x"] * 30], 20) is None
    # columns with no room for text are blank, as rich's are
    table = ("title", None, ["a"] * 12, ["left"] * 12, [["x"] * 12], 20)
    assert plain(*table) == _rich(*table)


def test_a_table_too_wide_is_folded_without_importing_rich_console():
    code = (
        "import sys, pandas as pd\n"
        "from chiprisk.cli.options import to_table\n"
        "df = pd.DataFrame({'node': ['cowos-packaging@aws-trainium2' * 3] * 3,\n"
        "                   'note': ['a long note that has to wrap ' * 6] * 3,\n"
        "                   'loss': [0.25, 0.5, 1.0]})\n"
        "text = to_table(df, title='Disruption simulation ' * 6, width=60)\n"
        "assert max(map(len, text.splitlines())) <= 60, text\n"
        "assert 'cowos' in text and text.count('\\n') > 12, text\n"
        "rich = ('rich.console', 'rich.table', 'rich.text')\n"
        "print(sorted(m for m in rich if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# Generated tables: words of every length (some longer than any column), numbers
# right-justified, titles and captions that wrap.
_short = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz-_.@/:%()"), min_size=1, max_size=10)
_long = st.builds(lambda w, n: (w * n)[:n], _short, st.integers(11, 120))  # cheap to draw
_word = st.one_of(_short, _short, _long)
_phrase = st.lists(st.tuples(_word, st.sampled_from([" ", " ", "  "])), max_size=5).map(
    lambda pairs: "".join(w + s for w, s in pairs).strip()
)
_long_phrase = st.builds(lambda p, k: " ".join([p] * k), _phrase, st.integers(1, 6))
_number = st.one_of(
    st.integers(-(10**12), 10**12).map(lambda n: f"{n:,}"),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: f"{x:,.4g}"),
    st.floats(0, 1).map(lambda x: f"{x:.1%}"),
)


@st.composite
def _tables(draw, cell=_phrase):
    n = draw(st.integers(1, 8))
    justify = draw(st.lists(st.sampled_from(["left", "right"]), min_size=n, max_size=n))
    heads = draw(st.lists(cell, min_size=n, max_size=n))
    rows = draw(
        st.lists(
            st.tuples(*(_number if j == "right" else cell for j in justify)).map(list),
            max_size=4,
        )
    )
    title = draw(st.one_of(st.none(), cell, _long_phrase))
    caption = draw(st.one_of(st.none(), _long_phrase))
    return title, caption, heads, justify, rows, draw(st.integers(20, 200))


@settings(max_examples=200, deadline=None)
@given(_tables())
def test_any_table_of_words_and_numbers_is_laid_out_as_rich_lays_it_out(table):
    direct = fast_table.plain_table(*table)
    assert direct is not None  # the direct path is taken
    assert direct == _rich(*table)


_unicode = st.text(st.sampled_from(list("ab -é—中ß❤👩") + ["\u0301", "\ufe0f"]), max_size=40)


@settings(max_examples=100, deadline=None)
@given(_tables(cell=_unicode))
def test_wide_and_combining_characters_are_laid_out_as_rich_does_or_left_to_it(table):
    direct = fast_table.plain_table(*table)
    assert direct is None or direct == _rich(*table)


_text = st.text(
    alphabet=st.sampled_from(list("abc XYZ-_.,;:()%/0123456789") + ["é", "—", "中", "ß"]),
    max_size=14,
)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(_text, min_size=1, max_size=3),
    nums=st.lists(st.one_of(st.floats(-1e9, 1e9), st.just(float("nan"))), min_size=1, max_size=3),
    title=st.one_of(st.none(), _text, st.lists(_text, max_size=12).map(" ".join)),
    width=st.integers(20, 140),
    extra=st.integers(0, 12),
)
def test_any_small_table_prints_as_rich_prints_it(names, nums, title, width, extra):
    n = min(len(names), len(nums))
    df = pd.DataFrame({"input": names[:n], "share": nums[:n], "note": names[:n][::-1]})
    for k in range(extra):  # columns dropped to fit make a long, wrapped caption
        df[f"column_{k}_ids"] = names[:n]
    with pytest.MonkeyPatch.context() as m:
        direct, _ = _both(df, title or None, width, m)
    assert direct is not None
