"""Benchmarks and load tests of the forum, with their recorded results in results/."""
