"""Benchmarks of the dossier service (issue 6): `python -m bench --help`."""
