"""chiprisk.ontology: the OWL ontology, SHACL shapes and named SPARQL queries."""
