"""The algorithms wing: questions about the supply network, answered as DataFrames.

It owns the analyses: concentration indices and their bounds, exposure,
chokepoints, disruption simulation, Monte Carlo, what-if and policy ranking,
and optimisation. Each is a plain function whose first argument is the
checked rows or the network, returning a DataFrame with documented columns.
It may import the io and model wings (and errors, ontology), never rdf or
report.
"""
