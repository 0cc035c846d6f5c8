"""`make bench`: complyscan's pages per second, TLS time and memory, beside a bare browser and
sslyze alone, on a synthetic site served on loopback (docs/performance.md)."""
