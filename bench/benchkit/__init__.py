"""Helpers for bench/run: servers to start, targets to measure, sub-benchmarks."""
