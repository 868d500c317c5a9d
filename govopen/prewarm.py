"""A build's worker warm-up, done once in the fork server instead of in every worker.

Only for a fork server to import (a runner's ``preload``,
:func:`govopen.manifest.preload`): importing it runs
:func:`govopen.manifest.warm_up` (the readers' libraries imported, the gazetteer
and its pinyin index loaded), so that every worker forked afterwards starts with
all of it in memory, shared copy-on-write, and its own ``warm_up`` finds nothing
left to do. With the fork server started early (:func:`govopen.runner.prestart`),
this happens while the build hashes its inputs.
"""

from __future__ import annotations

from govopen.manifest import warm_up

try:
    warm_up()
except Exception:  # noqa: BLE001 - the fork server must not die of it: each worker's
    pass  # own warm-up then fails where the build reports it
