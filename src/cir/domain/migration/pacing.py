"""Letting the migration's other threads run while a compiled loop works.

CPython hands the GIL to a waiting thread only from its interpreter loop. Compiled code
(:mod:`cir.compiled`, decision 0009) never enters that loop, so a long compiled loop (screening
400 000 dossiers takes seconds) would keep the writer's COPY thread from feeding PostgreSQL
for all that time. Long loops call :func:`let_threads_run` every :data:`EVERY` items, written
out in each loop (``if not at % EVERY: let_threads_run()``): a helper called for every item
would enter the interpreter millions of times.

This module must stay interpreted (it is not in ``cir.compiled.MODULES``): entering an
interpreted function is where CPython looks whether another thread asked for the GIL, and
hands it over if so. Otherwise the call costs well under a microsecond. ``time.sleep(0)``
would release the GIL too, but took 85 µs per call here (the kernel's timer slack).
"""

from __future__ import annotations

EVERY = 256
"""Items between two calls: a few hundred microseconds of work for the heaviest loops."""


def let_threads_run() -> None:
    """Hand the GIL to a thread that asked for it (CPython does so on entering this
    interpreted function); return at once when none did."""
