"""The model wing: checked rows -> the supply network and its lenses.

It owns what the rows mean once read: the lenses (a supplier seen as a firm,
its owner's country or its site's country), the integer-indexed supply
network and its propagation kernel, the networkx view, readable names of
ids, entity search and facts, money conversion, and the coverage findings
(what the data can and cannot answer). It may import the io wing (and
errors, ontology), never rdf, algorithms or report.
"""
