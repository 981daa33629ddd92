"""Benchmarks of the access log (see bench/README.md). Not part of the application."""
