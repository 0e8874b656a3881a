"""Building the terminal result events the worker publishes on `sync.results.v1`."""
