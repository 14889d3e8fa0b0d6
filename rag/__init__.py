"""rag: local, offline question answering over your own documents, with verified citations."""

__version__ = "0.1.0"
