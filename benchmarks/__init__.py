"""Benchmark harness: a labelled corpus generator, an evaluator, a baseline and a runner.

Each module is also a script (``python benchmarks/<name>.py --help``); see benchmarks/README.md.
"""
