"""``python -m govopen`` is the ``govopen`` command."""

from govopen.cli import main

raise SystemExit(main())
