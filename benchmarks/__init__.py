"""Benchmarks: each module's ``main()`` prints its figures and returns them as a dict.

``python -m benchmarks`` (``make bench``) runs them all and writes ``benchmarks/results.json``.
Targets live here, never in the tests.
"""
