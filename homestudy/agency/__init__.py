"""The agency side: the inbox service and its admin commands (``homestudy-agency``).

    home.py     the agency's folder: settings and key files (age, minisign)
    db.py       SQLite by default, PostgreSQL for a postgresql:// URL; one schema
    inbox.py    accept bundles, enrol and revoke devices (every refusal stores nothing)
    app.py      the ASGI app (Starlette), served by uvicorn
    assign.py   send a new case to a device; open a received bundle
    export.py   the supervisor's review pack (PAR .docx/.pdf via homestudy.report)
    cli.py      init | serve | enrol | revoke | inbox | open | assign

Shares only the bundle format (``homestudy.sync``) and the model with the app.
"""
