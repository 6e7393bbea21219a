"""Structure of a flow: edges, every path, and the validation that spans a flow and the content.

`check_flows` is called from validate.validate_sources. It reports, with file:line:col from the YAML:
- flow-structure: a loop, a dead end (a question without options), a question with one option, an
  unreachable node, an id used twice, a reserved id, rule results not matched by options;
- unknown-rule: a question names a rule function that does not exist;
- unknown-reference: start, next, posts, procedures, notices, fees or flows that do not exist;
- missing-field: a text without its English translation (a flow must be complete in both languages).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from ...problems import Problem, did_you_mean
from ..record import Record
from ..schemas import Text
from .rules import RULES
from .schema import RESERVED_NODE_IDS, Flow, Question

Loc = tuple[str | int, ...]


def node_loc(flow: Flow, node: str) -> Loc:
    return ("questions", node) if node in flow.questions else ("outcomes", node)


def edges(flow: Flow) -> Iterator[tuple[str, int, str]]:
    """(question id, option index, next node id) for every option, in file order."""
    for qid, question in flow.questions.items():
        for i, option in enumerate(question.options):
            yield qid, i, option.next


def walk_paths(flow: Flow) -> list[list[str]]:
    """Every path from the start to an outcome, as node ids (the flow must be valid: a DAG)."""
    paths: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        path = [*path, node]
        question = flow.questions.get(node)
        if question is None:
            paths.append(path)
            return
        for option in question.options:
            visit(option.next, path)

    visit(flow.start, [])
    return paths


def reachable(flow: Flow) -> list[str]:
    """Node ids reachable from the start, in breadth-first order."""
    seen = [flow.start]
    for node in seen:
        question = flow.questions.get(node)
        for option in question.options if question else ():
            if option.next not in seen and (option.next in flow.questions or option.next in flow.outcomes):
                seen.append(option.next)
    return seen


def depths(flow: Flow) -> dict[str, int]:
    """Longest distance from the start of every reachable node (layers of the diagram)."""
    depth = {flow.start: 0}
    order = topological(flow)
    for node in order:
        question = flow.questions.get(node)
        for option in question.options if question else ():
            depth[option.next] = max(depth.get(option.next, 0), depth[node] + 1)
    return depth


def topological(flow: Flow) -> list[str]:
    """Reachable nodes, each after every node that leads to it."""
    order: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        done.add(node)
        question = flow.questions.get(node)
        for option in question.options if question else ():
            visit(option.next)
        order.append(node)

    visit(flow.start)
    return order[::-1]


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def iter_texts(obj: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Text]]:
    """Every Text in a model tree (through lists and dicts), with its location."""
    if isinstance(obj, Text):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from iter_texts(getattr(obj, name), (*loc, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from iter_texts(item, (*loc, i))
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from iter_texts(item, (*loc, key))


class _Checker:
    def __init__(self, rec: Record, flow: Flow, ids: dict[str, set[str]],
                 fee_counts: dict[str, int]) -> None:
        self.rec, self.flow, self.ids, self.fee_counts = rec, flow, ids, fee_counts
        self.problems: list[Problem] = []

    def add(self, loc: Loc, code: str, message: str, *, key: bool = False, hint: str | None = None) -> None:
        line, col = self.rec.doc.position(loc, key=key)
        self.problems.append(Problem(self.rec.src_path, line, col, code, message, hint=hint))

    def run(self) -> list[Problem]:
        flow = self.flow
        self.ids_and_start()
        for qid, question in flow.questions.items():
            self.question(qid, question)
        nodes_ok = not any(p.code == "unknown-reference" for p in self.problems)
        self.loops()
        if nodes_ok:
            self.unreachable()
        self.references()
        self.translations()
        return self.problems

    def ids_and_start(self) -> None:
        flow = self.flow
        for oid in flow.outcomes:
            if oid in flow.questions:
                self.add(("outcomes", oid), "flow-structure",
                         f"outcomes.{oid}: '{oid}' is already the id of a question; "
                         "questions and outcomes share one set of ids", key=True)
        for loc_kind, nodes in (("questions", flow.questions), ("outcomes", flow.outcomes)):
            for nid in nodes:
                if nid in RESERVED_NODE_IDS:
                    self.add((loc_kind, nid), "flow-structure",
                             f"{loc_kind}.{nid}: '{nid}' is reserved for the reviewers' page; "
                             "choose another id", key=True)
        if flow.start not in flow.questions:
            what = "is an outcome, not a question" if flow.start in flow.outcomes else "does not exist"
            self.add(("start",), "unknown-reference",
                     f"start: the first question '{flow.start}' {what}",
                     hint=did_you_mean(flow.start, flow.questions))

    def question(self, qid: str, question: Question) -> None:
        flow = self.flow
        here: Loc = ("questions", qid)
        if not question.options:
            self.add((*here, "options"), "flow-structure",
                     f"questions.{qid}: dead end: the question has no options, "
                     "so no path through it reaches an outcome")
        elif len(question.options) == 1:
            self.add((*here, "options"), "flow-structure",
                     f"questions.{qid}: a question needs at least two options")
        for i, option in enumerate(question.options):
            if option.next not in flow.questions and option.next not in flow.outcomes:
                self.add((*here, "options", i, "next"), "unknown-reference",
                         f"questions.{qid}.options[{i}].next: no question or outcome "
                         f"'{option.next}' in this flow",
                         hint=did_you_mean(option.next, [*flow.questions, *flow.outcomes]))
        if question.rule is None:
            for i, option in enumerate(question.options):
                if option.result is not None:
                    self.add((*here, "options", i, "result"), "flow-structure",
                             f"questions.{qid}.options[{i}].result: the question names no rule")
            return
        rule = RULES.get(question.rule)
        if rule is None:
            self.add((*here, "rule"), "unknown-rule",
                     f"questions.{qid}.rule: no rule function '{question.rule}'",
                     hint=did_you_mean(question.rule, RULES) or f"known rules: {', '.join(sorted(RULES))}")
            return
        claimed: dict[str, int] = {}
        for i, option in enumerate(question.options):
            if option.result is None:
                continue
            if option.result not in rule.results:
                self.add((*here, "options", i, "result"), "flow-structure",
                         f"questions.{qid}.options[{i}].result: rule '{rule.name}' answers "
                         f"{' or '.join(repr(r) for r in rule.results)}, not '{option.result}'")
            elif option.result in claimed:
                self.add((*here, "options", i, "result"), "flow-structure",
                         f"questions.{qid}.options[{i}].result: '{option.result}' is already the "
                         f"result of options[{claimed[option.result]}]")
            else:
                claimed[option.result] = i
        for result in rule.results:
            if result not in claimed:
                self.add((*here, "rule"), "flow-structure",
                         f"questions.{qid}.rule: rule '{rule.name}' can answer '{result}' "
                         f"but no option has result: {result}")

    def loops(self) -> None:
        """Depth-first search from every question; an option back to a node on the path is a loop."""
        flow = self.flow
        state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
        reported: set[tuple[str, int]] = set()

        def visit(node: str, path: list[str]) -> None:
            state[node] = 1
            question = flow.questions.get(node)
            for i, option in enumerate(question.options if question else ()):
                nxt = option.next
                if state.get(nxt) == 1 and (node, i) not in reported:
                    reported.add((node, i))
                    cycle = [*path[path.index(nxt):], node, nxt]
                    self.add(("questions", node, "options", i, "next"), "flow-structure",
                             f"questions.{node}.options[{i}].next: loop: "
                             f"{' -> '.join(cycle)}; every path must end in an outcome")
                elif nxt in flow.questions and state.get(nxt) is None:
                    visit(nxt, [*path, node])
            state[node] = 2

        for qid in [flow.start, *flow.questions]:
            if qid in flow.questions and qid not in state:
                visit(qid, [])

    def unreachable(self) -> None:
        flow = self.flow
        seen = set(reachable(flow))
        for loc_kind, nodes in (("questions", flow.questions), ("outcomes", flow.outcomes)):
            for nid in nodes:
                if nid not in seen:
                    self.add((loc_kind, nid), "flow-structure",
                             f"{loc_kind}.{nid}: unreachable: no path from the first question "
                             f"'{flow.start}' leads here", key=True)

    def ref(self, loc: Loc, kind: str, value: str) -> None:
        known = self.ids.get(kind, set())
        if value not in known:
            self.add(loc, "unknown-reference",
                     f"{_dotted(loc)}: no {kind.rstrip('s')} with id '{value}'",
                     hint=did_you_mean(value, known))

    def references(self) -> None:
        for oid, outcome in self.flow.outcomes.items():
            here: Loc = ("outcomes", oid)
            for field, kind in (("posts", "posts"), ("procedures", "procedures"),
                                ("notices", "notices"), ("flows", "flows"), ("sources", "sources")):
                for i, value in enumerate(getattr(outcome, field)):
                    self.ref((*here, field, i), kind, value)
            if outcome.documents_from is not None:
                self.ref((*here, "documents_from"), "procedures", outcome.documents_from)
            if outcome.fees is None:
                continue
            proc_id = outcome.fees.procedure
            self.ref((*here, "fees", "procedure"), "procedures", proc_id)
            count = self.fee_counts.get(proc_id)
            for i, item in enumerate(outcome.fees.items or ()):
                if count is not None and not 0 <= item < count:
                    self.add((*here, "fees", "items", i), "unknown-reference",
                             f"outcomes.{oid}.fees.items[{i}]: procedure '{proc_id}' has no fee "
                             f"number {item} (it lists {count}, numbered from 0)")

    def translations(self) -> None:
        for loc, text in iter_texts(self.flow):
            if text.en is None:
                self.add(loc, "missing-field",
                         f"{_dotted((*loc, 'en'))}: the English text is missing; "
                         "every text in a flow needs both languages")


def check_flows(records: Sequence[Record], known: Mapping[str, set[str]]) -> list[Problem]:
    """Cross-file and structural checks of every flow among `records` (all kinds, validated).

    `known` (kind -> ids) holds every file with a valid name, also those that failed their own
    checks: a flow naming one of them is not the mistake, and reporting it would bury the one
    that is."""
    ids = dict(known)
    fee_counts: dict[str, int] = {}
    for rec in records:
        if rec.kind == "procedures":
            fee_counts[rec.id] = len(getattr(rec.entity, "fees", ()))
    problems: list[Problem] = []
    for rec in records:
        if rec.kind == "flows" and isinstance(rec.entity, Flow):
            problems.extend(_Checker(rec, rec.entity, ids, fee_counts).run())
    return problems
