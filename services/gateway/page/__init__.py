"""The progress window: one static HTML+JS file, live from the batch's event stream."""
