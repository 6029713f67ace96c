"""The ``prov`` command line: a thin layer over the ``provenance`` library.

In the source tree this folder is ``cli/``; it is installed as the package ``prov_cli``.
"""
