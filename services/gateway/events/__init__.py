"""Server-sent events of batch progress: formatting, LISTEN/NOTIFY fan-out, the stream."""
