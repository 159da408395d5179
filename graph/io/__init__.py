"""The io wing: files in, checked rows out, and files written safely.

It owns the file contract (tables, columns, types), the data directory
(``--data DIR``, resolved once into a :class:`~chiprisk.graph.io.datadir.DataDir`),
the loader (CSV and YAML files -> typed, checked :class:`Tables`), the on-disk
cache, atomic writes, the manifest, the synthetic-network generator and the
importers of other formats. It may import :mod:`chiprisk.graph.errors`,
:mod:`chiprisk.ontology` and :mod:`chiprisk.data`, never another wing: the
model, rdf, algorithms and report wings all build on what it returns.
"""
