"""Stand-ins for outside services, shared by the tests and the benchmarks (never by the package)."""
