"""Datasette setup of ``newsmon serve``: metadata, plugin, templates and CSS."""
