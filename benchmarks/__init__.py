"""Benchmarks for archive: a deterministic synthetic log and the harness that times it.

Run ``python -m benchmarks.run --help``; see docs/performance.md.
"""
