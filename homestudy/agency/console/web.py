"""The console as a Starlette app: pages (Jinja2, no JavaScript) and the JSON API.

Every page needs a signed-in session; every POST checks the session's CSRF token;
role checks are in ``need()``. Work that touches the database or decrypts runs in
the thread pool. Pages with case data are sent ``Cache-Control: no-store``.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Route

from homestudy.agency.console import api, audit, auth, caseload, chart, messaging, review, team
from homestudy.agency.console.cases import CaseCache, CaseState, bundles_of
from homestudy.agency.console.par_html import parts
from homestudy.agency.console.schema import migrate_console
from homestudy.agency.home import AgencyHome
from homestudy.errors import HomeStudyError, NotFoundError, ValidationError
from homestudy.textutil import format_date

SESSION_COOKIE = "hs_session"
LOGIN_CSRF_COOKIE = "hs_login"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
STATIC = Path(__file__).parent / "static"
#: the API's description, shipped in the package (docs/agency-api.openapi.yaml is the same
#: file, kept equal by tests/test_console_api.py) so an installed copy serves it too
OPENAPI = resources.files("homestudy.agency.console") / "openapi.yaml"
_DOCUMENT_MEDIA = {  # a rendered PAR or record's media type, by its format
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
_HTTP_MESSAGES = {
    400: "The console could not read what was sent. Go back, reload the page and try again.",
    404: "There is no page at this address. Check the address, or start from the caseload.",
    405: "That address cannot be used this way. Go back and use the page's own buttons.",
    500: "The console met a problem and could not finish. Try again; if it happens again, "
    "tell the administrator.",
}
_TEAM_DONE = {  # ?done= after a team action: the notice shown once the page is fetched
    "cancelled": "The enrolment file was cancelled.",
    "revoked": "The laptop was revoked. Its next sync will be refused.",
    "restored": "The laptop can sync again.",
}
_TOKENS_DONE = {"revoked": "The token was revoked.", "created": "The token was made."}
_CONFIRM_REVOKE = "Nothing was revoked. Tick “Yes, revoke” beside it first."
NEW_TOKEN_COOKIE = "hs_new_token"
_actor = threading.local()  # who the current request's work is for (the audit's "who")


class Denied(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Console:
    home: AgencyHome
    today: Callable[[], date] = date.today
    secure_cookies: bool = True
    db: Any = None
    cache: CaseCache = field(init=False)
    load: caseload.Caseload = field(init=False)

    def __post_init__(self) -> None:
        self.db = self.db or self.home.database()
        migrate_console(self.db)
        self.cache = CaseCache(self.home, self.db, on_decrypt=self._decrypted)
        self.load = caseload.Caseload(self.cache)

    def _decrypted(self, reference: str, bundle_id: str) -> None:
        audit.record(
            self.db, getattr(_actor, "name", "console"), "decrypt", reference, f"bundle {bundle_id}"
        )

    def as_actor(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn`` with ``name`` as the one any decryption it causes is recorded for."""
        _actor.name = name
        try:
            return fn(*args)
        finally:
            _actor.name = "console"


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("homestudy.agency.console", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["d"] = lambda v: format_date(v) if v else "—"
    env.filters["when"] = _when
    env.filters["uk"] = _uk_time
    env.filters["month"] = _month
    return env


def create_console_app(
    home: AgencyHome | Path | str,
    *,
    today: Callable[[], date] | None = None,
    secure_cookies: bool = True,
) -> Starlette:
    from homestudy.agency.console.oidc import OidcClient, OidcRefused, OidcSettings

    if not isinstance(home, AgencyHome):
        home = AgencyHome(home)
    oidc_settings = OidcSettings.from_home(home.path)
    oidc = OidcClient(oidc_settings) if oidc_settings else None
    c = Console(home, today=today or date.today, secure_cookies=secure_cookies)
    env = _env()
    row_cache: dict[tuple[str, date], Markup] = {}
    row_template = env.get_template("caseload_row.html")

    def row_html(r: caseload.CaseloadRow) -> Markup:
        """A caseload row's HTML, made once per bundle and day (the page joins them)."""
        key = (r.bundle_id, c.today())
        found = row_cache.get(key)
        if found is None:
            if len(row_cache) > 20000:
                row_cache.clear()
            found = row_cache[key] = Markup(row_template.render(r=r))
        return found

    def page(
        request: Request, name: str, session: auth.Session | None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        html = env.get_template(name).render(
            request=request,
            me=session.staff if session else None,
            csrf=session.csrf_token if session else "",
            agency=home.config.name,
            **ctx,
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def ip(request: Request) -> str:
        return request.client.host if request.client else ""

    def record_action(
        request: Request, s: auth.Session, action: str, target: str, detail: str
    ) -> None:
        """The audit line for what a signed-in staff member did, and from where."""
        audit.record(c.db, s.staff.username, action, target, detail, ip(request))

    def session_of(request: Request) -> auth.Session | None:
        return auth.session_for(c.db, request.cookies.get(SESSION_COOKIE))

    def need(session: auth.Session | None, what: str = "") -> auth.Session:
        if session is None:
            raise Denied(401, "Sign in first.")
        if what and not session.staff.can(what):
            raise Denied(403, "Your role does not allow this.")
        return session

    def error_page(
        request: Request, session: auth.Session | None, status: int, message: str
    ) -> HTMLResponse:
        """The console's own error page: with the navigation when signed in, headed by
        what went wrong."""
        heading = {404: "Page not found", 500: "Something went wrong"}.get(status, "")
        return page(request, "error.html", session, status, heading=heading, message=message)

    async def http_error(request: Request, exc: Exception) -> Response:
        """Starlette's own refusals (no such address, a body it cannot read) as the
        console's error page, or as the API's JSON under /api/."""
        status = getattr(exc, "status_code", 500)
        message = _HTTP_MESSAGES.get(status, "The console could not do that.")
        if request.url.path.startswith("/api/"):
            body = {"error": "not_found" if status == 404 else "invalid", "message": message}
            return JSONResponse(body, status, headers=SECURITY_HEADERS)
        try:
            session = await run_in_threadpool(session_of, request)
        except Exception:  # the database is what failed: show the page without the name
            session = None
        return error_page(request, session, status, message)

    def handler(
        fn: Callable[..., Any], what: str = "", post: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        """Wrap a page: session, role, CSRF (POST), plain errors, thread pool."""

        async def endpoint(request: Request) -> Response:
            form: dict[str, Any] = {}
            if post:
                form = dict(await request.form())
            session: auth.Session | None = None
            who: auth.Session | None = None
            try:
                session = who = await run_in_threadpool(session_of, request)
                if session is None and not request.url.path.startswith("/api/"):
                    return RedirectResponse("/login", status_code=303)
                session = need(session, what)
                if post and not auth.csrf_ok(session, str(form.get("csrf", ""))):
                    raise Denied(
                        403, "This form has expired. Go back, reload the page and try again."
                    )
                return await run_in_threadpool(
                    c.as_actor, session.staff.username, fn, request, session, form
                )
            except Denied as exc:
                if who is not None:  # signed in, and refused: the log shows who tried what
                    await run_in_threadpool(
                        record_action,
                        request,
                        who,
                        "denied",
                        request.url.path[:200],
                        f"{exc.status} {what}".strip(),
                    )
                return error_page(request, who, exc.status, exc.message)
            except NotFoundError as exc:
                return error_page(request, session, 404, exc.message)
            except HomeStudyError as exc:
                return error_page(request, session, 400, exc.message)

        return endpoint

    # ------------------------------------------------------------------ sign-in

    async def login_form(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        resp = page(request, "login.html", None, login_csrf=token, error="", oidc=oidc_settings)
        _cookie(resp, LOGIN_CSRF_COOKIE, token, c.secure_cookies, max_age=1800)
        return resp

    async def login(request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        sent = str(form.get("csrf", ""))
        if not sent or not secrets.compare_digest(sent, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
            return page(
                request,
                "error.html",
                None,
                403,
                message="This form has expired. Reload the page and try again.",
            )
        try:
            token = await run_in_threadpool(
                auth.sign_in,
                c.db,
                username,
                str(form.get("password", "")),
                str(form.get("code", "")),
                ip(request),
            )
        except auth.SignInRefused as exc:
            await run_in_threadpool(
                audit.record, c.db, username or "(blank)", "sign_in_failed", "", "", ip(request)
            )
            new = secrets.token_urlsafe(24)
            resp: Response = page(
                request,
                "login.html",
                None,
                401,
                login_csrf=new,
                error=str(exc),
                username=username,
                oidc=oidc_settings,
            )
            _cookie(resp, LOGIN_CSRF_COOKIE, new, c.secure_cookies, max_age=1800)
            return resp
        await run_in_threadpool(audit.record, c.db, username, "sign_in", "", "local", ip(request))
        resp = RedirectResponse("/", status_code=303)
        _cookie(resp, SESSION_COOKIE, token, c.secure_cookies, max_age=auth.SESSION_HOURS * 3600)
        resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return resp

    async def oidc_start(request: Request) -> Response:
        if oidc is None:
            return page(
                request,
                "error.html",
                None,
                404,
                message="Sign-in through an organisation account is not set up.",
            )
        try:
            url = await run_in_threadpool(oidc.start, str(request.url_for("oidc_callback")))
        except OidcRefused as exc:
            return page(request, "error.html", None, 502, message=str(exc))
        return RedirectResponse(url, status_code=303)

    async def oidc_callback(request: Request) -> Response:
        q = request.query_params
        if oidc is None or "code" not in q or "state" not in q:
            return page(
                request,
                "error.html",
                None,
                400,
                message="The sign-in did not complete. Start again.",
            )
        try:
            claims = await run_in_threadpool(oidc.finish, q["state"], q["code"])
        except OidcRefused as exc:
            await run_in_threadpool(
                audit.record,
                c.db,
                "(oidc)",
                "sign_in_failed",
                "",
                "oidc: " + str(exc)[:80],
                ip(request),
            )
            return page(request, "error.html", None, 401, message=str(exc))
        who = str(claims.get("email") or claims.get("sub"))

        async def refused(detail: str, message: str, heading: str = "") -> Response:
            await run_in_threadpool(
                audit.record, c.db, who, "sign_in_failed", "", detail, ip(request)
            )
            return page(request, "error.html", None, 403, heading=heading, message=message)

        if oidc.settings.roles:  # the organisation's groups say the role
            role = oidc.settings.role_for(claims)
            username = await run_in_threadpool(auth.oidc_member, c.db, claims, role)
            if username is None and role is None:
                return await refused(
                    "oidc: no role",
                    "You signed in, but your organisation has not given you a role on this "
                    "console. Ask your administrator to add you to one of its groups.",
                    heading="No role on this console",
                )
            if username is None:
                return await refused(
                    "oidc: account not usable",
                    "Your console account cannot be used (it is switched off, or a local "
                    "account has that name). Ask the administrator.",
                )
            detail = f"oidc role {role}"
        else:  # accounts made by the administrator, matched by e-mail
            username = await run_in_threadpool(auth.oidc_account, c.db, claims)
            if username is None:
                return await refused(
                    "oidc: no console account",
                    "You signed in, but you have no account on this console. Ask the "
                    "administrator to add you.",
                )
            detail = "oidc"
        await run_in_threadpool(audit.record, c.db, username, "sign_in", "", detail, ip(request))
        token = await run_in_threadpool(auth.new_session, c.db, username)
        resp = RedirectResponse("/", status_code=303)
        _cookie(resp, SESSION_COOKIE, token, c.secure_cookies, max_age=auth.SESSION_HOURS * 3600)
        return resp

    def logout(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        auth.sign_out(c.db, request.cookies.get(SESSION_COOKIE, ""))
        record_action(request, s, "sign_out", "", "")
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp

    # ------------------------------------------------------------------ caseload

    def caseload_page(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        filters = caseload.Filters.from_query(request.query_params)
        every = c.load.rows(c.today(), allow_stale=True)
        stale = len(c.load.stale_ids)
        rows = [r for r in every if filters.keep(r)]
        rows.sort(key=caseload.SORTS[filters.sort], reverse=filters.descending)
        record_action(request, s, "view_caseload", "", f"{len(rows)} cases")
        months = sorted({r.panel_date.isoformat()[:7] for r in every if r.panel_date})
        return page(
            request,
            "caseload.html",
            s,
            rows=rows,
            filters=filters,
            assessors=caseload.assessors(every),
            months=months,
            sorts=caseload.SORT_LABELS,
            query=request.url.query,
            chart=chart.stage2_chart(rows),
            quarters=caseload.quarterly_averages(every),
            quarter_chart=chart.quarter_chart(every),
            total=len(every),
            row_html=row_html,
            stale=stale,
        )

    def caseload_csv(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        filters = caseload.Filters.from_query(request.query_params)
        rows = c.load.rows(c.today(), filters)
        record_action(request, s, "export_csv", "caseload", f"{len(rows)} cases")
        return _download(caseload.to_csv(rows).encode("utf-8"), "caseload.csv", "text/csv")

    # ------------------------------------------------------------------ case

    def _state(request: Request) -> CaseState:
        return c.cache.latest(request.path_params["case_id"])

    def blockers_of(case: Any) -> int:
        from homestudy.forms import load_library
        from homestudy.readiness import Severity, assess_readiness

        found = assess_readiness(case, load_library(), c.load.rules, c.today())
        return sum(1 for f in found if f.severity is Severity.BLOCKER)

    def case_page(
        request: Request,
        s: auth.Session,
        form: dict[str, Any],
        error: str = "",
        status: int = 200,
        *,
        error_at: str = "",
        confirm_sign: int = 0,
    ) -> Response:
        """``form``: what was posted, put back in the form it came from (``error_at``:
        "decision" or a section id) so a refused send loses nothing."""
        from homestudy.forms import load_library
        from homestudy.readiness import assess_readiness
        from homestudy.report import Variant, build_par_document

        state = _state(request)
        case, today = state.case, c.today()
        record_action(request, s, "view_case", case.reference, f"bundle {state.bundle_id}")
        forms = load_library()
        document = build_par_document(case, Variant.SUPERVISOR, forms=forms, today=today)
        titles = {sec.id: sec.title for sec in forms.par.sections}
        comments = review.comments_of(c.db, case.id)
        reviews = review.reviews_of(c.db, case.id)
        sent = {r.review_id for r in reviews if r.sent_at}
        by_section: dict[str, list[review.Comment]] = {}
        for cm in comments:
            by_section.setdefault(cm.section_id, []).append(cm)
        changes: dict[str, list[review.DiffLine]] = {}
        last = review.last_sent_bundle(c.db, case.id)
        bundles = bundles_of(c.db, case.id)
        received = 1 + next(
            (n for n, b in enumerate(bundles) if b.bundle_id == state.bundle_id), len(bundles)
        )
        if last and last != state.bundle_id:
            old_row = next((b for b in bundles if b.bundle_id == last), None)
            if old_row is not None:
                changes = review.section_changes(c.cache.case(old_row), case)
        return page(
            request,
            "case.html",
            s,
            status,
            case=case,
            state=state,
            parts=parts(document, set(titles), _front_sections(forms)),
            titles=titles,
            by_section=by_section,
            sent=sent,
            replies=messaging.replies(c.db, case.id),
            reviews=[r for r in reviews if r.sent_at],
            changes=changes,
            findings=assess_readiness(case, forms, c.load.rules, today),
            statuses={k: v.status.value for k, v in case.par_sections.items()},
            error=error,
            error_at=error_at,
            posted=form,
            received=received,
            form_titles={k: f.title for k, f in forms.forms.items()},
            confirm_sign=confirm_sign,
            today=today,
        )

    def add_comment(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        from homestudy.forms import load_library

        state = _state(request)
        section_id = str(form.get("section_id", ""))
        section_ids = {sec.id for sec in load_library().par.sections}
        try:
            made = review.add_comment(
                c.db,
                state.case,
                state.bundle_id,
                section_id,
                str(form.get("text", "")),
                s.staff.display_name,
                section_ids=section_ids,
            )
        except ValidationError as exc:
            known = section_id in section_ids or section_id in state.case.par_sections
            at = section_id if known else ""  # beside its section's form, else at the top
            return case_page(request, s, form, error=exc.message, status=400, error_at=at)
        record_action(request, s, "comment", state.case.reference, f"section {made.section_id}")
        return RedirectResponse(f"/cases/{state.case.id}#r_{made.section_id}", status_code=303)

    def decision(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        state = _state(request)
        kind = str(form.get("decision", ""))
        blockers = blockers_of(state.case) if kind == "sign" else 0
        if blockers and form.get("confirm_blockers") != str(blockers):
            # the manager may sign with blockers open, but only once told how many
            return case_page(request, s, form, error_at="decision", confirm_sign=blockers)
        try:
            review_id, _ = review.decide(
                c.db,
                home,
                state.case,
                state.bundle_id,
                s.staff.display_name,
                kind,
                str(form.get("reasons", "")),
                blockers_open=blockers,
            )
        except ValidationError as exc:
            return case_page(request, s, form, error=exc.message, status=400, error_at="decision")
        open_note = f" with {blockers} blockers open" if blockers else ""
        record_action(
            request,
            s,
            "decision",
            state.case.reference,
            f"{kind or 'comments only'}{open_note}; review {review_id}",
        )
        return RedirectResponse(f"/cases/{state.case.id}#review", status_code=303)

    def download(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        from homestudy.report import Variant, build_par_document, render
        from homestudy.serial import to_jsonable

        state = _state(request)
        what = request.path_params["what"]
        ref = _safe(state.case.reference)
        if what.startswith(("checklists.", "visit-")):
            from homestudy.report import build_record_document

            stem, _, fmt = what.rpartition(".")
            record = "checklists" if stem == "checklists" else "visit:" + stem[6:]
            visit = next((v for v in state.case.visits if v.id == record[6:]), None)
            if fmt not in ("docx", "pdf") or (record != "checklists" and visit is None):
                raise NotFoundError("There is no such download.")
            if visit is not None and not visit.done_date:
                raise NotFoundError("That visit has not been held yet, so it has no record.")
            data = render(build_record_document(state.case, record, today=c.today()), fmt)
            name = f"{ref}.{stem}.{fmt}"
            media = _DOCUMENT_MEDIA[fmt]
        elif what == "case.json":
            data = json.dumps(
                {"format": "homestudy-case", "case": to_jsonable(state.case)}, indent=2
            ).encode("utf-8")
            name, media = f"{ref}.case.json", "application/json"
        else:
            variant, _, fmt = what.partition(".")
            variants = {"panel": Variant.PANEL, "supervisor": Variant.SUPERVISOR}
            if variant not in variants or fmt not in ("docx", "pdf"):
                raise NotFoundError("There is no such download.")
            doc = build_par_document(state.case, variants[variant], today=c.today())
            data = render(doc, fmt)
            name = f"{ref}.PAR-{variant}.{fmt}"
            media = _DOCUMENT_MEDIA[fmt]
        record_action(request, s, "download", state.case.reference, name)
        return _download(data, name, media)

    def bulk_export(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        """Every case synced between two dates, as one JSON file (the API's export)."""
        from homestudy.serial import to_jsonable

        q = request.query_params
        try:
            start = date.fromisoformat(q.get("from", ""))
            end = date.fromisoformat(q.get("to", ""))
        except ValueError as exc:
            raise ValidationError("Give both dates of the range (from and to).") from exc
        out = [
            {
                "case_id": row.case_id,
                "reference": row.case_reference,
                "bundle_id": row.bundle_id,
                "received_at": row.received_at,
                "case": to_jsonable(c.cache.case(row)),
            }
            for row in _case_rows_between(start, end)
        ]
        record_action(request, s, "download", "bulk export", f"{start} to {end}: {len(out)} cases")
        data = json.dumps(
            {"from": start.isoformat(), "to": end.isoformat(), "cases": out}, indent=1
        ).encode("utf-8")
        return _download(data, f"cases-{start}-to-{end}.json", "application/json")

    # ------------------------------------------------------------------ team and devices

    def team_page(
        request: Request, s: auth.Session, form: dict[str, Any], notice: str = "", status: int = 200
    ) -> Response:
        notice = notice or _TEAM_DONE.get(request.query_params.get("done", ""), "")
        return page(
            request,
            "team.html",
            s,
            status,
            devices=team.devices(c.db),
            enrolments=team.enrolments(c.db),
            staff=auth.list_staff(c.db),
            notice=notice,
        )

    def team_action(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        action, target = request.path_params["action"], str(form.get("id", ""))
        if action == "issue":
            assessor = str(form.get("assessor_id", "")).strip()
            if not assessor:
                return team_page(request, s, form, "Give the assessor's id.", 400)
            data = team.issue_enrolment(
                home, c.db, assessor, str(form.get("assessor_name", "")).strip()
            )
            record_action(request, s, "enrolment_issued", assessor, "")
            return _download(data, f"{_safe(assessor)}.homestudy-enrol", "application/json")
        # each done action redirects (post, redirect, get): a reload does not do it again
        if action == "cancel":
            team.cancel_enrolment(c.db, target)
            record_action(request, s, "enrolment_cancelled", target, "")
            return RedirectResponse("/team?done=cancelled", status_code=303)
        if action == "revoke":
            if form.get("confirm") != "1":
                return team_page(request, s, form, _CONFIRM_REVOKE, 400)
            team.revoke_device(home, c.db, target)
            record_action(request, s, "device_revoked", target, "")
            return RedirectResponse("/team?done=revoked", status_code=303)
        if action == "restore":
            team.restore_device(home, c.db, target)
            record_action(request, s, "device_restored", target, "")
            return RedirectResponse("/team?done=restored", status_code=303)
        raise NotFoundError("There is no such action.")

    # ------------------------------------------------------------------ admin

    def audit_page(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        """The newest entries a page at a time (older: ``before=<id>``), or as CSV every
        matching entry, streamed."""
        from urllib.parse import urlencode

        from starlette.responses import StreamingResponse

        q = request.query_params
        query = _audit_query(q)
        record_action(request, s, "view_audit", "", "")
        if request.url.path.endswith(".csv"):
            return StreamingResponse(
                (line.encode("utf-8") for line in audit.csv_chunks(audit.every_entry(c.db, query))),
                media_type="text/csv",
                headers={
                    **SECURITY_HEADERS,
                    "Content-Disposition": 'attachment; filename="audit-log.csv"',
                },
            )
        before = int(q["before"]) if q.get("before", "").isdigit() else None
        rows = audit.entries(c.db, query=query, before=before)
        kept = {k: q.get(k, "") for k in ("action", "actor", "from", "to") if q.get(k)}
        older = (
            "/audit?" + urlencode({**kept, "before": rows[-1].id})
            if len(rows) == audit.PAGE
            else ""
        )
        return page(
            request,
            "audit.html",
            s,
            rows=rows,
            total=audit.count(c.db, query),
            paged=before is not None,
            older=older,
            newest="/audit?" + urlencode(kept),
            csv_link="/audit.csv?" + urlencode(kept),
            actions=audit.ACTIONS,
            q=q,
        )

    def tokens_page(
        request: Request,
        s: auth.Session,
        form: dict[str, Any],
        error: str = "",
        status: int = 200,
    ) -> Response:
        # a new token's secret comes once, in a cookie set by the redirect after making it
        secret = request.cookies.get(NEW_TOKEN_COOKIE, "") if not error else ""
        resp = page(
            request,
            "tokens.html",
            s,
            status,
            tokens=api.tokens(c.db),
            scopes=api.SCOPES,
            secret=secret,
            error=error,
            notice=_TOKENS_DONE.get(request.query_params.get("done", ""), ""),
        )
        if secret:
            resp.delete_cookie(NEW_TOKEN_COOKIE, path="/tokens")
        return resp

    def tokens_action(request: Request, s: auth.Session, form: dict[str, Any]) -> Response:
        action = request.path_params["action"]
        if action not in ("create", "revoke"):
            raise NotFoundError("There is no such action.")  # only the form's routes act
        if action == "revoke":
            if form.get("confirm") != "1":
                return tokens_page(request, s, form, error=_CONFIRM_REVOKE, status=400)
            api.revoke_token(c.db, str(form.get("id", "")))
            record_action(request, s, "api_token_revoked", str(form.get("id", "")), "")
            return RedirectResponse("/tokens?done=revoked", status_code=303)
        scopes = [k for k in api.SCOPES if form.get(f"scope_{k}")]
        try:
            made, secret = api.create_token(
                c.db, str(form.get("name", "")), scopes, s.staff.username
            )
        except ValidationError as exc:
            return tokens_page(request, s, form, error=exc.message, status=400)
        record_action(request, s, "api_token_created", made.token_id, " ".join(made.scopes))
        resp = RedirectResponse("/tokens?done=created", status_code=303)
        resp.set_cookie(
            NEW_TOKEN_COOKIE,
            secret,
            max_age=120,
            path="/tokens",
            secure=c.secure_cookies,
            httponly=True,
            samesite="strict",
        )
        return resp

    # ------------------------------------------------------------------ JSON API

    def api_refused(
        request: Request, status: int, error: str, message: str, **headers: str
    ) -> JSONResponse:
        """An API refusal in the Error schema, audited like every other call (who: the
        token's id when the header names one, never its secret)."""
        actor = f"api:{api.token_id_in(request.headers.get('authorization', '')) or 'unknown'}"
        audit.record(
            c.db, actor, "api_refused", request.url.path[:200], f"{status} {error}", ip(request)
        )
        return JSONResponse({"error": error, "message": message}, status, headers=headers)

    def api_handler(
        fn: Callable[[Request, api.ApiToken], Response], scope: str
    ) -> Callable[[Request], Awaitable[Response]]:
        def run(request: Request) -> Response:
            token = api.check_token(c.db, request.headers.get("authorization", ""))
            if token is None:
                return api_refused(
                    request,
                    401,
                    "unauthorised",
                    "A valid API token is needed.",
                    **{"WWW-Authenticate": "Bearer"},
                )
            if scope not in token.scopes:
                return api_refused(
                    request, 403, "forbidden", f"This token lacks the {scope} scope."
                )
            actor = f"api:{token.token_id}"
            try:
                resp: Response = c.as_actor(actor, fn, request, token)
            except NotFoundError as exc:
                return api_refused(request, 404, "not_found", exc.message)
            except ValidationError as exc:
                return api_refused(request, 400, "invalid", exc.message)
            detail = " ".join([scope, *filter(None, [getattr(request.state, "audit", "")])])
            audit.record(c.db, actor, "api_call", request.url.path, detail, ip(request))
            return resp

        async def endpoint(request: Request) -> Response:
            return await run_in_threadpool(run, request)

        return endpoint

    def api_unknown(request: Request) -> Response:
        """Any other /api/v1/ path or method: the Error schema, not Starlette's plain text."""
        allowed = [
            m
            for route in api_routes
            if route.methods and route.matches(request.scope)[0] != Match.NONE
            for m in sorted(route.methods)
            if m != "HEAD"
        ]
        if allowed:
            return api_refused(
                request,
                405,
                "method_not_allowed",
                f"Use {', '.join(allowed)} here.",
                Allow=", ".join(allowed),
            )
        return api_refused(request, 404, "not_found", "There is no such API path.")

    def api_cases(request: Request, token: api.ApiToken) -> Response:
        rows = c.load.rows(c.today(), caseload.Filters.from_query(request.query_params))
        return JSONResponse({"cases": [_row_json(r) for r in rows]})

    def api_case(request: Request, token: api.ApiToken) -> Response:
        from homestudy.serial import to_jsonable

        state = _state(request)
        return JSONResponse(
            {
                "case_id": state.case.id,
                "reference": state.case.reference,
                "bundle_id": state.bundle_id,
                "received_at": state.received_at,
                "device_id": state.device_id,
                "case": to_jsonable(state.case),
            }
        )

    def api_par(request: Request, token: api.ApiToken) -> Response:
        from homestudy.report import Variant, build_par_document, render

        state = _state(request)
        fmt = request.path_params["fmt"]
        if fmt not in ("docx", "pdf"):
            raise NotFoundError("There is no such format.")
        data = render(build_par_document(state.case, Variant.PANEL, today=c.today()), fmt)
        media = _DOCUMENT_MEDIA[fmt]
        return _download(data, f"{_safe(state.case.reference)}.PAR-panel.{fmt}", media)

    def api_export(request: Request, token: api.ApiToken) -> Response:
        from homestudy.serial import to_jsonable

        q = request.query_params
        try:
            start = date.fromisoformat(q.get("from", ""))
            end = date.fromisoformat(q.get("to", ""))
        except ValueError as exc:
            raise ValidationError(
                "Give from= and to= as dates, for example from=2026-01-01&to=2026-03-31."
            ) from exc
        out = []
        for row in _case_rows_between(start, end):
            case = c.cache.case(row)
            out.append(
                {
                    "case_id": case.id,
                    "reference": case.reference,
                    "bundle_id": row.bundle_id,
                    "received_at": row.received_at,
                    "case": to_jsonable(case),
                }
            )
        request.state.audit = f"{start} to {end}: {len(out)} cases"
        return JSONResponse({"from": start.isoformat(), "to": end.isoformat(), "cases": out})

    def _case_rows_between(start: date, end: date) -> list[Any]:
        """Every case any bundle of which was received from ``start`` to ``end`` (days,
        inclusive), each at its latest state: a case that synced in the range and again
        later is in it."""
        from homestudy.agency.console.cases import case_rows

        with c.db.transaction() as cur:
            synced = {
                str(r[0])
                for r in cur.all(
                    "SELECT DISTINCT case_id FROM bundles "
                    "WHERE substr(received_at, 1, 10) BETWEEN ? AND ?",
                    (start.isoformat(), end.isoformat()),
                )
            }
        return [r for r in case_rows(c.db) if r.case_id in synced]

    async def css(request: Request) -> Response:
        return Response(
            (STATIC / "console.css").read_bytes(),
            media_type="text/css",
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    async def openapi(request: Request) -> Response:
        return Response(OPENAPI.read_bytes(), media_type="application/yaml")

    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/login/oidc", oidc_start, methods=["GET"]),
        Route("/login/oidc/callback", oidc_callback, methods=["GET"], name="oidc_callback"),
        Route("/logout", handler(logout, post=True), methods=["POST"]),
        Route("/", handler(caseload_page), methods=["GET"]),
        Route("/caseload.csv", handler(caseload_csv, "download"), methods=["GET"]),
        Route("/export", handler(bulk_export, "download"), methods=["GET"]),
        Route("/cases/{case_id}", handler(case_page), methods=["GET"]),
        Route(
            "/cases/{case_id}/comments", handler(add_comment, "review", post=True), methods=["POST"]
        ),
        Route(
            "/cases/{case_id}/decision", handler(decision, "review", post=True), methods=["POST"]
        ),
        Route("/cases/{case_id}/download/{what}", handler(download, "download"), methods=["GET"]),
        Route("/team", handler(team_page, "devices"), methods=["GET"]),
        Route("/team/{action}", handler(team_action, "devices", post=True), methods=["POST"]),
        Route("/audit", handler(audit_page, "admin"), methods=["GET"]),
        Route("/audit.csv", handler(audit_page, "admin"), methods=["GET"]),
        Route("/tokens", handler(tokens_page, "admin"), methods=["GET"]),
        Route("/tokens/{action}", handler(tokens_action, "admin", post=True), methods=["POST"]),
        Route("/static/console.css", css, methods=["GET"]),
    ]
    api_routes = [
        Route("/api/v1/openapi.yaml", openapi, methods=["GET"]),
        Route("/api/v1/cases", api_handler(api_cases, "caseload:read"), methods=["GET"]),
        Route("/api/v1/cases/{case_id}", api_handler(api_case, "cases:read"), methods=["GET"]),
        Route(
            "/api/v1/cases/{case_id}/par.{fmt}",
            api_handler(api_par, "documents:read"),
            methods=["GET"],
        ),
        Route("/api/v1/export", api_handler(api_export, "cases:read"), methods=["GET"]),
    ]
    routes += api_routes
    routes.append(
        Route(
            "/api/v1/{rest:path}",
            _threaded(api_unknown),
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        )
    )
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: http_error, Exception: http_error}
    )
    app.state.console = c
    return app


def _audit_query(q: Any) -> audit.AuditQuery:
    """The audit page's filters from its query string; a bad date is a plain 400."""

    def day(name: str) -> date | None:
        text = q.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise ValidationError(f"Give '{name}' as a date, for example 2026-11-30.") from exc

    return audit.AuditQuery(q.get("action", ""), q.get("actor", ""), day("from"), day("to"))


def _threaded(fn: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that runs ``fn`` (which reaches the database) in the thread pool."""

    async def endpoint(request: Request) -> Response:
        return await run_in_threadpool(fn, request)

    return endpoint


def _when(value: str | None) -> str:
    """An ISO timestamp (UTC) as '3 Dec 2026 08:46'."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return value or "—"
    return f"{format_date(moment.date())} {moment:%H:%M}"


_UK = ZoneInfo("Europe/London")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _uk_time(value: str | None) -> str:
    """An ISO timestamp (UTC unless it says) in UK time, as '3 Dec 2026 08:46 GMT'."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return value or "—"
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(_UK)
    return f"{format_date(local.date())} {local:%H:%M} {local.tzname()}"


def _month(value: str) -> str:
    """'2026-09' as 'September 2026'."""
    try:
        return f"{_MONTH_NAMES[int(value[5:7]) - 1]} {int(value[:4])}"
    except (ValueError, IndexError):
        return value


def _cookie(resp: Response, name: str, value: str, secure: bool, max_age: int) -> None:
    resp.set_cookie(
        name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="strict"
    )


def _download(data: bytes, name: str, media: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


def _safe(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "case"


def _row_json(r: caseload.CaseloadRow) -> dict[str, Any]:
    def d(v: date | None) -> str | None:
        return v.isoformat() if v else None

    return {
        "case_id": r.case_id,
        "reference": r.reference,
        "assessor": r.assessor,
        "assessor_id": r.assessor_id,
        "stage": r.stage,
        "stage2_day": r.stage2_day,
        "stage2_total": r.stage2_total,
        "visits_done": r.visits_done,
        "visits_planned": r.visits_planned,
        "next_visit": d(r.next_visit),
        "blockers": r.blockers,
        "panel_date": d(r.panel_date),
        "panel_provisional": r.panel_provisional,
        "comments_due": d(r.comments_due),
        "last_sync": r.last_sync,
        "overdue": list(r.overdue),
    }


def _front_sections(forms: Any) -> tuple[str, ...]:
    """The PAR sections the front sheet prints (the cover), which have no heading."""
    front = getattr(forms.par, "front_sheet", None)
    return tuple(front.sections_shown) if front is not None else ()
