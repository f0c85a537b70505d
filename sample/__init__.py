"""The built-in sample generator: fictional banks' and registers' files for the demo,
the tests and the benchmarks."""
