"""Travel-checker pages: one static Markdown page per question and per outcome, plain links between.

Site layout per language ('' for Indonesian, 'en/' for English):
  checker/                      list of flows
  checker/<flow>/               start page: intro + first question (+ the optional one-page form)
  checker/<flow>/<node>/        every question and every outcome (shareable, printable)
  checker/<flow>/review/        reviewers' page: the SVG diagram, every node and every path
Published files (checker_outputs): checker/checker.js, checker/checker.css (shared by both
languages) and <lang>/checker/<flow>/diagram.svg.

Pages are stateless: a page does not know the answers given before it (GOV.UK ADR-002 keeps state
in the URL; here each node is a page, so an outcome reached by two routes is one page). That keeps
the page count linear in the number of nodes and every page cacheable offline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..config import BuildConfig
from ..content.flows.graph import topological, walk_paths
from ..content.flows.rules import RULES, example
from ..content.flows.schema import Flow, Outcome, Question
from ..content.model import Site
from ..content.schemas import Requirement, Text
from ..escape import plain
from ..i18n import LANGS, format_date, lang_prefix
from ..outputs import Outputs
from ..site import citerender
from ..site.assets import minify_css
from ..site.pages import Page
from ..site.render import PageBuilder, Renderer, Variant, md_html
from ..site.ui import UI, section
from ..urls import absolute, relative
from .diagram import flow_svg, svg_size

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
SCRIPT_PATH = "checker/checker.js"
START_PATH = "checker/start.js"  # shows the one-page form's button (no inline script: CSP)
STYLE_PATH = "checker/checker.css"

STRINGS = section("checker")  # the strings of the checker pages, from lintas/site/ui.yaml

def flow_path(fid: str, lang: str) -> str:
    """Site path of a flow's start page, e.g. 'en/checker/getting-a-passport/'."""
    return f"{lang_prefix(lang)}checker/{fid}/"

def node_path(fid: str, node: str, lang: str) -> str:
    return f"{flow_path(fid, lang)}{node}/"

def node_src(fid: str, node: str) -> str:
    return f"checker/{fid}/{node}/index.md"

def _md_link_text(value: str) -> Markup:
    """Plain text made safe as Markdown link text inside an HTML-escaped template."""
    return plain(value)

@dataclass
class _Ctx:
    site: Site
    lang: str
    r: Renderer
    b: PageBuilder

    @property
    def s(self) -> dict[str, Any]:
        return STRINGS[self.lang]

    def part(self, name: str, here: str, **context: Any) -> str:
        """Render templates/checker/<name>.html with the same filters as the site's partials."""
        lang = self.lang
        env = self.r.use_language(lang, here)
        env.filters["mdlink"] = lambda text: _md_link_text(text.get(lang) if isinstance(text, Text) else text)
        out = env.get_template(f"checker/{name}.html").render(ui=UI[lang], s=self.s, lang=lang, **context)
        return "\n" + out.strip() + "\n"

    def style(self, here: str) -> str:
        return f'\n<link rel="stylesheet" href="{plain(relative(here, STYLE_PATH))}">\n'

    def meta(self, fid: str, flow: Flow, here: str, description: str, kind: str) -> dict[str, Any]:
        return {"description": description, "kind": kind, "flow": fid, "path": here,
                "lang": self.lang, "reviewed_on": flow.reviewed_on.isoformat()}

def _question_part(c: _Ctx, fid: str, question: Question, here: str) -> str:
    options = [{"label": o.label, "hint": o.hint,
                "href": _md_href(here, node_path(fid, o.next, c.lang))} for o in question.options]
    rule = RULES.get(question.rule) if question.rule else None
    help_html = md_html(question.help, c.lang, here) if question.help else Markup("")
    ex = example(rule, c.site.today, c.lang) if rule else None
    return c.part("question", here, question=question, options=options, help_html=help_html,
                  show_help=bool(question.help or ex), example=ex)

def _md_href(here: str, target: str) -> str:
    """Markdown link from page folder `here` to the page at folder `target` (its index.md)."""
    rel = relative(here, target)
    return (rel if rel.endswith("/") else rel + "/") + "index.md" if rel != "./" else "index.md"

def _question_page(c: _Ctx, fid: str, flow: Flow, qid: str, question: Question) -> Page:
    here = node_path(fid, qid, c.lang)
    parts = [
        c.style(here),
        f'\n<p class="lintas-checker__eyebrow">{plain(flow.title.get(c.lang))}</p>\n',
        _question_part(c, fid, question, here),
        c.part("restart", here, start_href=relative(here, flow_path(fid, c.lang)), back=False)
        if qid != flow.start else "",
    ]
    meta = c.meta(fid, flow, here, question.hint.get(c.lang) if question.hint else flow.summary.get(c.lang),
                  "checker-question")
    return c.b.finish(node_src(fid, qid), question.text.get(c.lang), parts, meta)


EVERYONE = frozenset({"public"})  # a notice for the public concerns every reader
MAX_ROUTES = 1000  # flows are small; past this many routes every notice is shown


def route_audiences(flow: Flow, target: str) -> list[frozenset[str]]:
    """For each route from the start to `target`, who the reader is by the answers on it (the
    union of the chosen options' `audience`); an empty set where the answers say nothing."""
    found: list[frozenset[str]] = []
    stack: list[tuple[str, frozenset[str], frozenset[str]]] = [(flow.start, frozenset(), frozenset())]
    while stack and len(found) < MAX_ROUTES:
        node, who, seen = stack.pop()
        if node == target:
            found.append(who)
            continue
        question = flow.questions.get(node)
        if question is None or node in seen:
            continue
        stack += [(o.next, who | frozenset(o.audience), seen | {node}) for o in question.options]
    return found if len(found) < MAX_ROUTES else [frozenset()]


def outcome_notices(site: Site, outcome: Outcome, routes: list[frozenset[str]] | None = None) -> list[str]:
    """Ids of the notices that concern an outcome: the ones it names, plus those about its posts
    and procedures that are for someone the answers describe on some route to it (`routes`, from
    route_audiences; unknown routes show them all). A notice for no one in particular or for the
    public always concerns the reader."""
    ids = set(outcome.notices)
    about: set[str] = set()
    for post in outcome.posts:
        about.update(site.notices_by_post.get(post, ()))
    for proc in outcome.procedures:
        about.update(site.notices_by_procedure.get(proc, ()))

    def relevant(nid: str) -> bool:
        audience = set(site.notices[nid].audience)
        if routes is None or not audience or audience & EVERYONE:
            return True
        return any(not who or who & audience for who in routes)

    ids.update(n for n in about if relevant(n))
    return sorted(ids)


def outcome_sources(site: Site, flow: Flow, outcome: Outcome) -> list[str]:
    """Ids of the sources the outcome rests on as a whole: its own (the flow's when it names none),
    then the sources of the procedures whose documents or fees it shows; each once. The facts shown
    (documents, fees, posts' hours and status) bring their own citations."""
    chosen = list(outcome.sources) if outcome.sources else list(flow.sources)
    for proc_id in (outcome.documents_from, outcome.fees.procedure if outcome.fees else None):
        if proc_id:
            chosen += site.procedures[proc_id].sources
    return list(dict.fromkeys(chosen))


def outcome_posts(c: _Ctx, here: str, ids: list[str]) -> str:
    """Each post with its status, opening hours (with citations) and, for a post on the
    Timor-Leste border, the time-zone note."""
    site, lang = c.site, c.lang
    items = [{"href": relative(here, f"{lang_prefix(lang)}posts/{pid}/"), "post": site.posts[pid]} for pid in ids]
    # The note is about WITA: it cites the sources of the glossary's WITA entry.
    wita = [src for term in site.glossary.values() if term.term == "WITA" for src in term.sources]
    return c.r.partial("posts_block", lang, here, items=items, heading=c.s["posts"], tz_sources=wita)

def _outcome_page(c: _Ctx, fid: str, flow: Flow, oid: str, outcome: Outcome) -> Page:
    site, lang, s = c.site, c.lang, c.s
    here = node_path(fid, oid, lang)
    notice_ids = outcome_notices(site, outcome, route_audiences(flow, oid))
    active = [i for i in notice_ids if site.is_active(site.notices[i])]
    upcoming = [{"href": relative(here, f"{lang_prefix(lang)}notices/{i}/"),
                 "title": site.notices[i].title.get(lang), "valid_from": site.notices[i].valid_from}
                for i in notice_ids if site.notices[i].valid_from > site.today]
    documents: list[Requirement] = []
    if outcome.documents_from:
        documents += site.procedures[outcome.documents_from].requirements
    documents += outcome.documents
    fees_part = ""
    if outcome.fees:
        all_fees = site.procedures[outcome.fees.procedure].fees
        chosen = [all_fees[i] for i in outcome.fees.items] if outcome.fees.items is not None else all_fees
        fees_part = c.r.partial("fees", lang, here, fees=chosen)
    docs_part = ""
    if documents:
        docs_part = c.r.partial("requirements", lang, here, requirements=documents)
        docs_part = docs_part.replace(str(plain(UI[lang]["requirements"])), str(plain(s["documents"])), 1)
    other_flows = "".join(
        f"- [{_md_link_text(site.flows[f].title.get(lang))}]({_md_href(here, flow_path(f, lang))})\n"
        for f in outcome.flows)
    caveats = [*outcome.caveats, *flow.caveats]
    url = absolute(site.settings.base_url, here)
    parts = [
        c.style(here),
        c.part("outcome_head", here, flow_title=flow.title.get(lang), level=outcome.level),
        c.b.review_notice("flows", flow),
        c.b.notices_banner(here, active),
        c.b.body(outcome.body, here),
        docs_part,
        fees_part,
        outcome_posts(c, here, outcome.posts) if outcome.posts else "",
        _links(c, here, "procedures", outcome.procedures, s["procedures"], "procedures"),
        f"\n## {plain(s['flows'])}\n\n{other_flows}" if other_flows else "",
        c.r.partial("caveats", lang, here, caveats=caveats) if caveats else "",
        c.part("upcoming", here, upcoming=upcoming, active=bool(active), today=site.today,
               notices_href=relative(here, f"{lang_prefix(lang)}notices/")),
        c.part("restart", here, start_href=relative(here, flow_path(fid, lang)), back=True),
        c.b.sources_box(here, outcome_sources(site, flow, outcome), flow.reviewed_on, "flows"),
        c.part("print_footer", here, url=url, reviewed_on=flow.reviewed_on, today=site.today),
    ]
    meta = c.meta(fid, flow, here, outcome.title.get(lang), "checker-outcome")
    return c.b.finish(node_src(fid, oid), outcome.title.get(lang), parts, meta)

def _links(c: _Ctx, here: str, kind: str, ids: list[str], heading: str, anchor: str) -> str:
    if not ids:
        return ""
    items = c.b.links(here, kind, ids)
    return c.r.partial("link_list", c.lang, here, heading=heading, anchor=anchor, items=items)

def flow_data(site: Site, fid: str, lang: str) -> dict[str, Any]:
    """What checker.js needs to run a flow on one page (texts in `lang`)."""
    flow = site.flows[fid]
    s = STRINGS[lang]
    questions = {}
    for qid, q in flow.questions.items():
        rule = RULES.get(q.rule or "")
        questions[qid] = {
            "text": q.text.get(lang),
            "hint": q.hint.get(lang) if q.hint else "",
            "rule": rule.name if rule else None,
            "params": [{"name": p.name, "label": p.label.get(lang)} for p in rule.params] if rule else [],
            "options": [{"label": o.label.get(lang), "next": o.next, "result": o.result}
                        for o in q.options],
        }
    outcomes = {oid: {"title": o.title.get(lang), "level": o.level, "level_text": s["levels"][o.level]}
                for oid, o in flow.outcomes.items()}
    strings = {k: s[k] for k in ("app_title", "app_result", "app_open", "app_check", "app_rule_intro",
                                 "app_rule_missing", "app_restart")}
    return {"flow": fid, "start": flow.start, "questions": questions, "outcomes": outcomes,
            "strings": strings, "today": site.today.isoformat()}

def _json_for_html(data: Any) -> Markup:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Nothing in a <script> may close it, and a blank line would end the Markdown HTML block.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

def _start_page(c: _Ctx, fid: str, flow: Flow) -> Page:
    lang, s = c.lang, c.s
    here = flow_path(fid, lang)
    first = flow.questions[flow.start]
    parts = [
        c.style(here),
        c.b.lead(flow.summary),
        f"\n{plain(s['start_intro'])}\n",
        f'\n<div class="lintas-checker-static" markdown="1">\n\n## {plain(first.text.get(lang))}'
        ' {: #first-question }\n',
        _question_part(c, fid, first, here),
        "\n</div>\n",
        c.part("app", here, data_json=_json_for_html(flow_data(c.site, fid, lang)),
               script_href=relative(here, SCRIPT_PATH), start_href=relative(here, START_PATH)),
        f"\n[{_md_link_text(s['review_link'])}](review/index.md)\n",
        c.b.caveats(flow, here),
        c.b.keep_control(here),
        # Sources are listed on every outcome page; the start page stays light.
        f'\n<p class="lintas-reviewed">{plain(UI[lang]["last_reviewed"])}: '
        f'<time datetime="{flow.reviewed_on.isoformat()}">{plain(format_date(flow.reviewed_on, lang))}</time></p>\n',
    ]
    return c.b.finish(f"checker/{fid}/index.md", flow.title.get(lang), parts,
                      c.meta(fid, flow, here, flow.summary.get(lang), "checker-start"))

def _review_page(c: _Ctx, fid: str, flow: Flow) -> Page:
    lang, s = c.lang, c.s
    here = f"{flow_path(fid, lang)}review/"
    nodes = []
    for nid in topological(flow):
        q = flow.questions.get(nid)
        o = flow.outcomes.get(nid)
        nodes.append({
            "id": nid, "href": relative(here, node_path(fid, nid, lang)),
            "title": q.text.get(lang) if q else o.title.get(lang) if o else nid,
            "options": [{"label": op.label.get(lang), "next": op.next, "result": op.result}
                        for op in q.options] if q else [],
            "rule": q.rule if q else None, "level": o.level if o else "go",
        })
    width, height = svg_size(flow)
    parts = [
        f"\n{plain(s['review_intro'])}\n",
        c.part("review", here, svg_href=relative(here, f"{flow_path(fid, lang)}diagram.svg"),
               width=width, height=height, nodes=nodes, paths=walk_paths(flow)),
    ]
    meta = c.meta(fid, flow, here, s["review_intro"], "checker-review")
    meta["search"] = {"exclude": True}
    return c.b.finish(f"checker/{fid}/review/index.md", s["review_title"].format(title=flow.title.get(lang)),
                      parts, meta)

def _index_page(c: _Ctx) -> Page:
    lang, s = c.lang, c.s
    here = f"{lang_prefix(lang)}checker/"
    rows = [f'<li><a href="{plain(relative(here, flow_path(fid, lang)))}">{plain(flow.title.get(lang))}</a>'
            f'<br><span class="lintas-muted">{plain(flow.summary.get(lang))}</span></li>'
            for fid, flow in sorted(c.site.flows.items(), key=lambda kv: kv[1].title.get(lang).casefold())]
    parts = [f"\n{plain(s['intro'])}\n", f"\n## {plain(s['flows_heading'])}\n",
             '\n<ul class="lintas-index">\n' + "\n".join(rows) + "\n</ul>\n"]
    return c.b.finish("checker/index.md", s["section"], parts,
                      {"description": s["intro"], "kind": "section", "path": here, "lang": lang})


def checker_pages(site: Site, lang: str, templates_dir: Path | None = None,
                  variant: Variant | None = None) -> list[Page]:
    """Every travel-checker page of one language; empty when there are no flows."""
    if not site.flows:
        return []
    renderer = Renderer.create(templates_dir or TEMPLATES_DIR)
    c = _Ctx(site, lang, renderer, PageBuilder(site, lang, renderer, variant=variant))
    pages = [_index_page(c)]
    for fid, flow in site.flows.items():
        pages.append(_start_page(c, fid, flow))
        for qid, question in flow.questions.items():
            pages.append(_question_page(c, fid, flow, qid, question))
        for oid, outcome in flow.outcomes.items():
            token = citerender.start_page(site.sources)
            try:
                pages.append(_outcome_page(c, fid, flow, oid, outcome))
            finally:
                citerender.end_page(token)
        pages.append(_review_page(c, fid, flow))
    return pages

def checker_outputs(site: Site, config: BuildConfig | None = None) -> Outputs:
    """checker.js and checker.css (shared), and one SVG diagram per flow and language."""
    out = Outputs()
    if not site.flows:
        return out
    folder = (config.root / "templates" if config else TEMPLATES_DIR) / "checker"
    out.add(SCRIPT_PATH, (folder / "checker.js").read_bytes())
    out.add(START_PATH, (folder / "start.js").read_bytes())
    out.add(STYLE_PATH, minify_css((folder / "checker.css").read_text(encoding="utf-8")))
    for lang in LANGS:
        for fid, flow in site.flows.items():
            out.add(f"{flow_path(fid, lang)}diagram.svg", flow_svg(flow, lang))
    return out


__all__ = ["checker_outputs", "checker_pages", "flow_data", "node_path", "node_src", "outcome_notices",
           "route_audiences"]
