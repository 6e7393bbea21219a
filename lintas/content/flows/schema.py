"""Schema of a travel-checker flow (content/flows/<id>.yaml): questions, options and outcomes.

A flow is routing plus references. Questions and outcomes are mappings keyed by node id (one
namespace; the id becomes the page's folder, 'checker/<flow>/<node>/'). Each option names the next
node. Outcomes point at posts, procedures and notices by id; the facts (fees, hours, notices in
force) come from those entities, so they are kept in one place. Structural rules (no loops, every
node reachable, references resolve, both languages present) are checked in graph.py.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field

from ..schemas import (
    ID_PATTERN,
    Audience,
    Caveat,
    Entity,
    Id,
    NonEmpty,
    NoticeRef,
    PostRef,
    ProcedureRef,
    RefTo,
    Requirement,
    Schema,
    SourceRef,
    Text,
    _check_id,
)

FlowRef = Annotated[str, AfterValidator(_check_id), RefTo("flows"),
                    Field(json_schema_extra={"pattern": ID_PATTERN, "x-reference": ["flows"]})]

# Page folders inside 'checker/<flow>/' that a node id must not take.
RESERVED_NODE_IDS = frozenset({"review"})


class Option(Schema):
    """One answer to a question: a plain link to the next question or to an outcome."""

    label: Text = Field(description="The answer as the reader would say it, e.g. 'Yes'.")
    next: Id = Field(description="Id of the question or outcome this answer leads to.")
    hint: Text | None = Field(None, description="A short line under the answer.")
    result: NonEmpty | None = Field(
        None, description="For a question with a rule: the rule result this answer stands for "
                          "('yes' or 'no'); the optional script picks this answer from the dates.")
    audience: list[Audience] = Field(
        default_factory=list, description="Who the reader is when they give this answer (notice "
                                          "audiences, e.g. [wni, travellers]). An outcome shows a notice about its "
                                          "posts or procedures only when the notice is for someone the answers "
                                          "on a route to it describe (or for everyone); named notices always show.")


class Question(Schema):
    """A question page: the question, help for answering it, and its options."""

    markdown_fields: ClassVar[tuple[str, ...]] = ('help',)  # the rest is plain text

    text: Text = Field(description="The question, e.g. 'Who is crossing?'.")
    hint: Text | None = Field(None, description="One or two sentences under the question (Markdown).")
    help: Text | None = Field(None, description="'How to check' help shown below the options (Markdown).")
    rule: NonEmpty | None = Field(
        None, description="Name of a rule function in lintas/content/flows/rules.py that answers this "
                          "question from dates (e.g. passport_valid_6_months).")
    options: list[Option] = Field(description="The answers, in order; at least two.")


class FeesFrom(Schema):
    """Fees are never written in a flow: they are taken from a procedure, with their legal basis."""

    procedure: ProcedureRef = Field(description="Id of the procedure whose fees apply.")
    items: list[int] | None = Field(
        None, description="Positions (0-based) of the procedure's fees that apply; all when absent.")


class Outcome(Schema):
    """A result page: what to bring, what it costs, where to go and which steps to follow."""

    CRITICAL: ClassVar[tuple[str, ...]] = ("documents",)
    markdown_fields: ClassVar[tuple[str, ...]] = ('body',)  # the rest is plain text

    title: Text = Field(description="The result in one line, e.g. 'You can cross with your passport'.")
    level: Literal["go", "caution", "stop"] = Field(
        "go", description="go: you can travel; caution: you can, with conditions; stop: not yet.")
    body: Text | None = Field(None, description="Explanation in Markdown.")
    documents_from: ProcedureRef | None = Field(
        None, description="Id of a procedure whose requirements are listed first (kept in one place).")
    documents: list[Requirement] = Field(default_factory=list, description="Documents and conditions to meet.")
    fees: FeesFrom | None = Field(None, description="Which procedure's fees apply; leave out when none apply.")
    posts: list[PostRef] = Field(default_factory=list, description="Ids of the posts to use.")
    procedures: list[ProcedureRef] = Field(default_factory=list, description="Ids of the procedures to follow.")
    notices: list[NoticeRef] = Field(
        default_factory=list, description="Extra notices to show when in force; notices about the "
                                          "outcome's posts and procedures are shown automatically.")
    flows: list[FlowRef] = Field(default_factory=list, description="Ids of other checker flows to suggest.")
    caveats: list[Caveat] = Field(default_factory=list, description="Uncertain facts behind this outcome, shown in a callout.")
    sources: list[SourceRef] = Field(
        default_factory=list, description="Ids of the sources (content/sources/) that back this outcome; "
                                          "the flow's sources when empty. Sources of the facts shown "
                                          "(documents, fees, posts' hours) are added.")


class Flow(Entity):
    """A travel checker ("smart answer"): questions whose answers lead to an outcome."""

    title: Text = Field(description="Name of the checker, e.g. 'Crossing into Timor-Leste by land'.")
    summary: Text = Field(description="One or two sentences: who it is for and what it tells you.")
    start: Id = Field(description="Id of the first question.")
    questions: dict[Id, Question] = Field(description="The questions, keyed by id.")
    outcomes: dict[Id, Outcome] = Field(description="The outcomes, keyed by id.")
