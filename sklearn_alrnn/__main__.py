"""``python -m sklearn_alrnn``: the ``alrnn`` command line."""

from ._cli import main

raise SystemExit(main())
