"""The archive: DreamBank-class search, statistics, themes over time and research export, over the
dreams each viewer may read (``core.consent``). ``archive.query.parse`` and ``archive.service.search``
are the entry points other features use."""
