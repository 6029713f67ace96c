"""The ``prov`` command line: a thin layer over the ``provenance`` library.

In the source tree this folder is ``cli/``; it is installed as the package ``prov_cli``.
"""

import os

# numpy's OpenBLAS starts a thread per core that spins for a while at every start, 0.13 s of CPU
# that a small scan's forked workers wait for; prov does no linear algebra. Set before numpy is
# imported; a value the user set stands.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
