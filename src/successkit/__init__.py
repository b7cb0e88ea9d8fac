"""successkit: runs the Oura for Business Customer Success program."""

__version__ = "0.1.0"
