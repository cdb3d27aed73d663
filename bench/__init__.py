"""Benchmarks of the dossier service, each beside a ceiling or peer measured in the same run:
`python -m bench --help`."""
