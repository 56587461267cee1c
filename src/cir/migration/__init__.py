"""The data migration (invlechting) in the register: services, writer, commands.

Its COPY text (:mod:`.rows`) is made by compiled code (mypyc) when a fresh build exists; see
:mod:`cir.compiled`.
"""

from cir.compiled import activate

COMPILED = activate(__name__, __path__)
