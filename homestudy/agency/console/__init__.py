"""The agency's web console: caseload, case review, team and devices, exports, audit.

Server-rendered (Starlette + Jinja2, no JavaScript), run by ``homestudy-agency console``
on the internal network; it reads the inbox's database and decrypts bundles in memory.

    schema.py     the console's own tables (staff, sessions, audit, reviews, API tokens)
    auth.py       local accounts: Argon2id passwords, TOTP, sessions, CSRF, throttling
    audit.py      the audit log: record, list, CSV
    cases.py      the latest state of each case (``_latest_case``: the one adapter) + cache
    caseload.py   the caseload rows, filters, sorting, CSV and the SVG chart
    review.py     section comments, countersignature decisions, diffs since the last review
    messaging.py  agency messages to laptops (adapter over ``homestudy.agency.messages``)
    team.py       assessors, devices and enrolment files (also the CLI's commands)
    api.py        the JSON API for the case system (scoped, revocable tokens)
    web.py        the Starlette app and its pages
"""
