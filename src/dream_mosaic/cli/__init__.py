"""The ``mosaic`` command line: a small Typer front that builds the platform and calls the features."""
