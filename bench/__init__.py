"""Benchmarks of the invoice sync: `python -m bench run [--only NAME ...] [--quick]`.

Every run starts its own stack (Kafka, PostgreSQL, QuickBooks sandbox, sync worker, gateway)
from deploy/local in a throwaway directory, runs the selected measurements on it, prints a
table for each, writes `bench/results/<name>.json` and stops everything it started.
See BENCHMARKS.md for the figures and how to read them.
"""
