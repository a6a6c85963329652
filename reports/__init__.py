"""Renderers: each module reads only the results model and returns a value; the CLI prints."""
