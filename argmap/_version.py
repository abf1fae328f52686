"""The package version, in this one place: read by the package, by hatch for the wheel, and by every writer."""

__version__ = "0.1.0"
