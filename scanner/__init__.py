"""complyscan: does a web site keep the promises of its own privacy statement?"""

__version__ = "0.1.0"
