"""Routing of the worker's consumed events to the features that own them."""
