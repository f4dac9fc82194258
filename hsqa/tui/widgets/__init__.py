"""Widgets: they render data they are given and post messages; no I/O, no search logic."""
