"""Rendered command output cached by data hash, so a repeated query answers at once.

A warm ``chiprisk concentration --input X`` spends most of its time importing
pandas (about 0.7 s here) and the analytics; the text it prints depends only
on the data, the chiprisk version, the command's options (``--columns`` too),
the format and the terminal (width, colours). Those make the key; the text is stored with
:mod:`chiprisk.graph.io.cache` (``--no-cache`` or ``CHIPRISK_CACHE_DIR=off``
turn it off; ``CHIPRISK_OUTPUT_CACHE=off`` turns off only this, so every
answer is computed while the checked rows still come from the cache). Output
written with ``-o FILE`` is not cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable

import click


def _key(name: str, params: dict) -> str:
    from chiprisk.cli.options import chosen_columns

    term = (shutil.get_terminal_size((120, 24)).columns, sys.stdout.isatty())
    blob = json.dumps([name, params, term, chosen_columns()], sort_keys=True, default=str)
    return "out-" + hashlib.sha256(blob.encode()).hexdigest()[:32] + ".txt"


def echo_cached(
    state, name: str, params: dict, output: str | None, make_text: Callable[[], str]
) -> None:
    """Print ``make_text()``, from the cache when this exact output was made before.

    ``make_text`` runs only on a miss (it may raise; nothing is stored then).
    With ``output`` set the text is written to that file and not cached.
    """
    replay = state.use_cache and os.environ.get("CHIPRISK_OUTPUT_CACHE", "").lower() != "off"
    if output is not None or not replay:
        text = make_text()
        if output is not None:
            from chiprisk.graph.io.atomic import atomic_write

            atomic_write(output, text.encode("utf-8"))
        else:
            click.echo(text, nl=False)
        return
    from chiprisk.graph.io import cache
    from chiprisk.graph.io.datadir import data_hash

    data_key = data_hash(state.data)
    entry = _key(name, params)
    blob = cache.get(data_key, entry)
    if blob is not None:
        click.echo(blob.decode("utf-8"), nl=False)
        return
    text = make_text()
    cache.put(data_key, entry, text.encode("utf-8"))
    click.echo(text, nl=False)
