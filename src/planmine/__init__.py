"""planmine: document mining for Swedish regional Nära vård plans."""

__version__ = "0.1.0"
