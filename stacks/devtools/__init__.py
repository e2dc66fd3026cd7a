"""Tooling for the project's own documentation: tables generated from docstrings (`docgen`)."""
