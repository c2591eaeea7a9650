"""ctip — counter-trafficking information platform."""

__version__ = "0.1.0"
