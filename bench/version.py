"""The version, written once: hatch reads it for the package's metadata (pyproject.toml), and
`bench --version` and results.json's tool.version read it here, without importing the plugin
API that `bench/__init__.py` curates."""

__version__ = "0.2.0"
