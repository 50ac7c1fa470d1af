"""The network layer: everything in ``audit`` that may go online.

Nothing here runs unless a command asks for it (``audit check URL``,
``--online``); the rest of the tool works offline.  Modules:

* :mod:`audit.web.fetch`  - fetch one page under SSRF-safe rules;
* :mod:`audit.web.verify` - check cited links, DOIs and PMIDs;
* :mod:`audit.web.cache`  - persistent cache of verification results.

Submodules are imported lazily by callers (``from audit.web.fetch import
fetch``) so that offline runs never pay for importing ``requests``.
"""
