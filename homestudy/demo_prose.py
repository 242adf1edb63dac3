"""Prose for the demo case: PAR drafts, visit notes and referee interview notes.

The PAR text is composed from hand-written openings and sentence banks chosen by a
seeded ``random.Random`` per section, so it is deterministic, varied enough to read
as a social worker's draft, and about 15,000 words in all. It uses the PAR Markdown
subset only: paragraphs, **bold**, *italic*, "- " bullets and "1. " numbered lists.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from homestudy.model import Case, ParSectionDraft, SectionStatus

_OPEN = [
    "During {v}, {p} spoke at length about {t}.",
    "{p} returned to {t} several times during {v}, unprompted.",
    "When we discussed {t} at {v}, {p} answered openly and without defensiveness.",
    "The theme of {t} was explored with both applicants at {v}.",
    "I asked {p} to describe {t} in their own words, and then to give examples.",
    "{p} had clearly thought about {t} before our discussion at {v}.",
    "Much of {v} was given to {t}, using the chronology the applicants prepared.",
    "{p} and {q} approached {t} differently, which was itself informative.",
]
_DETAIL = [
    "{p} described specific occasions rather than general impressions, and the account "
    "matched what {q} said separately.",
    "Where dates were uncertain, {p} checked them against family photographs and old "
    "diaries and brought the results to the next visit.",
    "{p} acknowledged that this had not always been easy and named the people who had helped.",
    "The account was consistent with the information gathered at Stage 1 and with the "
    "written references.",
    "{p} gave a balanced picture, recognising both what had gone well and what they would "
    "now do differently.",
    "{q} added detail that {p} had left out, and {p} accepted the addition with good humour.",
    'I noted that {p} used reflective language, for example *"I think I understand now '
    'why my mum reacted the way she did"*.',
    "{p} was able to link these experiences to how a child who has known loss might feel.",
    "There was a pause before {p} answered, and the answer that followed was thoughtful "
    "rather than rehearsed.",
    "This was tested further by asking how {p} would respond if a child rejected their care "
    "in the first months.",
    "{p} was honest that some of the reading had been difficult and had prompted "
    "conversations with {q} late into the evening.",
    "The family tree and eco-map were used as prompts and were updated during the visit.",
]
_TRIANGULATE = [
    "{r} described the same qualities independently.",
    "This is supported by {r}, who has known the family for many years.",
    "{r} gave a similar example without being asked about it directly.",
    "What {p} said here was echoed in the interview with {r}.",
    "I have not relied on the applicants' account alone: {r} was asked about this and "
    "confirmed it.",
    "Observations fed back from preparation training point the same way.",
]
_REFLECT = [
    "The applicants recognise that a child placed for adoption may test these strengths "
    "in ways a birth child has not.",
    "I consider this a genuine strength rather than a presentation for the assessment.",
    "This will need to be revisited at the matching stage, but I do not see it as a barrier.",
    "It shows a capacity to reflect on their own experience and to learn from it.",
    "Both applicants understood why the question was being asked and did not become defensive.",
    "I would expect this to support a child to feel safe enough to form an attachment.",
    "There is more work to do here, which the applicants accept and have begun.",
    "The evidence suggests warmth, consistency and a willingness to seek help.",
    "A child's history may bring this back into focus, and the applicants were realistic "
    "about that.",
    "This is consistent with the picture that has emerged over the assessment as a whole.",
]
_REFEREES = [
    "Marcus Adeyemi",
    "Rebecca Whitfield",
    "Daniel's station manager",
    "Claire Robson",
    "a personal referee",
    "the family referee",
]
_VISIT_NAMES = [
    "the first visit",
    "the second visit",
    "the third visit",
    "the fourth visit",
    "the fifth visit",
    "a joint visit",
    "an individual session",
]

# section id -> (words to aim for, status, with analysis?, subtopics, opening paragraph)
_PLAN: dict[str, tuple[int, SectionStatus, bool, list[str], str]] = {
    "cover": (
        150,
        SectionStatus.DRAFTING,
        False,
        ["the recommendation"],
        "**Applicants:** Hannah Whitfield and Daniel Mensah. **Assessing social "
        "worker:** Priya Raman. The recommendation will be written once the assessment "
        "is complete. The applicants have said they would consider *fostering for "
        "adoption*, and this has been discussed but not yet explored in depth.",
    ),
    "pen_picture": (
        600,
        SectionStatus.DRAFTING,
        False,
        ["our family life", "why we want to adopt", "our plans"],
        "We are Hannah and Daniel, and we live with our daughter Isla and our "
        "dog Biscuit in a market town. We have been together for eleven years.",
    ),
    "family_tree": (0, SectionStatus.NOT_STARTED, False, [], ""),
    "assessment_process": (
        900,
        SectionStatus.READY_FOR_REVIEW,
        False,
        ["the visit plan", "individual sessions", "the use of tools"],
        "This assessment began when the applicants gave notice to start "
        "Stage 2. Five of eight planned visits have taken place, one of "
        "them by video call, and both applicants have been seen alone.",
    ),
    "family_of_origin": (
        1500,
        SectionStatus.COMPLETE,
        True,
        [
            "Hannah's childhood",
            "Daniel's childhood",
            "being parented",
            "discipline and boundaries",
            "family losses",
            "grandparents and wider family",
        ],
        "Hannah grew up in a village in the East Midlands, the younger of two "
        "daughters. Daniel was born in south London to parents who came to "
        "England from Ghana in the late 1970s.",
    ),
    "education_employment": (
        950,
        SectionStatus.READY_FOR_REVIEW,
        True,
        [
            "school experiences",
            "Hannah's teaching career",
            "Daniel's work as a paramedic",
            "shift patterns",
        ],
        "Both applicants are in stable employment. Hannah teaches part "
        "time; Daniel works shifts as a paramedic.",
    ),
    "relationships": (
        1300,
        SectionStatus.READY_FOR_REVIEW,
        True,
        [
            "how they met",
            "Daniel's relationship with Claire",
            "the 2002 caution",
            "managing conflict",
            "their relationship now",
        ],
        "Hannah and Daniel met in 2014 through a mutual friend and married in "
        "2016. Daniel was previously in a relationship with Claire Robson, with "
        "whom he has a son, Joshua.",
    ),
    "children_household": (
        950,
        SectionStatus.DRAFTING,
        True,
        [
            "Isla's view",
            "Joshua's relationship with the family",
            "preparing Isla",
            "sharing parental attention",
        ],
        "Isla is seven and in Year 3. I met her at the fifth visit, where "
        "she showed me her bedroom and the room that would be her "
        "sibling's.",
    ),
    "support_network": (
        1100,
        SectionStatus.DRAFTING,
        True,
        ["the eco-map", "family support", "friends", "church community", "practical help"],
        "The applicants completed an eco-map at the fifth visit.",
    ),
    "home_lifestyle": (
        900,
        SectionStatus.DRAFTING,
        True,
        ["the home", "the neighbourhood", "Biscuit", "routines", "finances"],
        "The family live in a three-bedroom semi-detached house on a quiet "
        "road, close to the primary school and a park.",
    ),
    "health": (
        800,
        SectionStatus.READY_FOR_REVIEW,
        True,
        ["Hannah's low mood", "Daniel's asthma", "lifestyle and health", "the support plan"],
        "The medical adviser sees no health bar to adoption. This section addresses "
        "the line of enquiry about Hannah's low mood after two miscarriages.",
    ),
    "motivation": (
        1200,
        SectionStatus.DRAFTING,
        True,
        [
            "secondary infertility",
            "the miscarriages",
            "the decision to adopt",
            "resolution of loss",
            "expectations of an adopted child",
        ],
        "After Isla was born the applicants hoped for a second child. Hannah had "
        "two early miscarriages in 2019 and 2020.",
    ),
    "understanding_adoption": (
        1050,
        SectionStatus.DRAFTING,
        False,
        ["trauma and attachment", "contact", "life story work", "identity and heritage"],
        "This section is in progress and will be completed after the sixth visit.",
    ),
    "preparation_learning": (
        700,
        SectionStatus.DRAFTING,
        False,
        ["preparation training", "reading", "the Stage 1 workbook"],
        "Both applicants attended all three days of preparation training.",
    ),
    "matching": (0, SectionStatus.NOT_STARTED, False, [], ""),
    "adoption_support": (0, SectionStatus.NOT_STARTED, False, [], ""),
    "strengths_vulnerabilities": (0, SectionStatus.NOT_STARTED, False, [], ""),
    "recommendation": (0, SectionStatus.NOT_STARTED, False, [], ""),
    "second_opinion": (0, SectionStatus.NOT_STARTED, False, [], ""),
    "factual_information": (
        600,
        SectionStatus.DRAFTING,
        False,
        ["the household", "the home", "employment"],
        "**Address:** withheld in the demo. **Household:** Hannah, Daniel, "
        "Isla (7) and Biscuit (dog). Joshua (21) lives away at university.",
    ),
    "statutory_checks": (
        450,
        SectionStatus.READY_FOR_REVIEW,
        False,
        ["the DBS disclosure"],
        "All statutory checks are complete. Daniel's enhanced DBS disclosed "
        "a police caution from 2002, which he had told us about himself.",
    ),
    "medical_summary": (
        350,
        SectionStatus.COMPLETE,
        False,
        ["the medical reports"],
        "The medical adviser's summary is reproduced here in full from Stage 1.",
    ),
    "references_summary": (
        1100,
        SectionStatus.DRAFTING,
        False,
        ["the personal referee", "the family referee", "the employer", "the ex-partner"],
        "Four referees have been interviewed: a personal referee, a "
        "family referee, Daniel's employer and Daniel's former partner.",
    ),
    "applicants_comments": (0, SectionStatus.NOT_STARTED, False, [], ""),
    "signatures": (0, SectionStatus.NOT_STARTED, False, [], ""),
}

_PEN_PICTURE = [
    "Hannah is a primary school teacher and loves reading, baking and long walks with "
    "Biscuit. Daniel is a paramedic; he plays five-a-side football on Thursdays and is the "
    "family's cook. Isla is seven, loves gymnastics and asks most days when she will have a "
    "brother or sister.",
    "After Isla was born we hoped to have another child. We lost two pregnancies, and it "
    "took us time to grieve for them. With help we came to see that what we wanted was not "
    "another baby of our own but to be a family for a child who needs one. Adoption feels "
    "like the right way for us to grow our family, not a second choice.",
    "We know from preparation training that children who are adopted may have had a hard "
    "start and may find it difficult to trust adults. We have talked a lot about how we "
    "would help a child feel safe: keeping to routines, staying calm, and being honest with "
    "them about their story. We want a child to know where they come from and to feel proud "
    "of it.",
    "Our families are excited and have been to an information evening. Hannah's sister "
    "Rebecca and Daniel's mum will help us, and friends from church have offered school "
    "runs and meals in the first weeks. Daniel's son Joshua, who is at university, says he "
    "is looking forward to being a big brother again.",
    "We think we could best care for one child, aged between two and five, boy or girl. We "
    "are open to a child with some uncertainty about their future development, and to "
    "*letterbox* or direct contact with brothers and sisters if that is right for the "
    "child. We would welcome a child of any heritage and would work hard to keep their "
    "culture alive in our home.",
]

_ANALYSIS = [
    "**Analysis:** The evidence from the individual and joint sessions, the references and "
    "Stage 1 shows {p} and {q} to have reflected honestly on {t}. Their account is "
    "consistent across sources. I consider that this strengthens their capacity to offer a "
    "child warm, predictable care, while recognising that {t} may need revisiting as a "
    "child's needs become known.",
    "**Analysis:** Taken together, what {p} and {q} have said about {t}, what I observed and "
    "what referees told me suggest insight and a capacity to learn. The main vulnerability is "
    "the strain a child's early behaviour could place on the household; the applicants "
    "recognise it and have a credible plan for support.",
]


def _fill(template: str, rng: random.Random, names: tuple[str, str], topic: str) -> str:
    p, q = names if rng.random() < 0.5 else names[::-1]
    text = template.format(p=p, q=q, t=topic, v=rng.choice(_VISIT_NAMES), r=rng.choice(_REFEREES))
    return text[:1].upper() + text[1:]


class _Deck:
    """Deals sentences without repeats until the bank runs out, then reshuffles, so a
    section does not say the same thing twice in a row."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.piles: dict[int, list[str]] = {}

    def draw(self, bank: list[str], count: int = 1) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            pile = self.piles.get(id(bank))
            if not pile:
                pile = self.piles[id(bank)] = self.rng.sample(bank, len(bank))
            choice = pile.pop()
            if choice not in out:
                out.append(choice)
        return out


def _paragraph(rng: random.Random, deck: _Deck, names: tuple[str, str], topic: str) -> str:
    parts = [*deck.draw(_OPEN), *deck.draw(_DETAIL, rng.randint(2, 4))]
    if rng.random() < 0.6:
        parts += deck.draw(_TRIANGULATE)
    parts += deck.draw(_REFLECT)
    return " ".join(_fill(s, rng, names, topic) for s in parts)


def _a_list(rng: random.Random, topics: list[str]) -> str:
    numbered = rng.random() < 0.5
    lines = [
        ("{n}. " if numbered else "- ").format(n=i + 1)
        + f"**{t.capitalize()}**: "
        + rng.choice(
            [
                "discussed and evidenced",
                "explored at two visits",
                "confirmed by a referee",
                "to be revisited at visit 8",
            ]
        )
        for i, t in enumerate(topics)
    ]
    return "The evidence for this section comes from:\n" + "\n".join(lines)


def _section_text(section_id: str, rng: random.Random, names: tuple[str, str]) -> str:
    target, _status, analysed, topics, opening = _PLAN[section_id]
    if target == 0:
        return ""
    if section_id == "pen_picture":  # the applicants' own words, not the assessor's
        return "\n\n".join([opening, *_PEN_PICTURE])
    paragraphs = [opening]
    words = len(opening.split())
    if len(topics) > 2:
        paragraphs.append(_a_list(rng, topics))
    deck = _Deck(rng)
    while words < target - (60 if analysed else 0):
        para = _paragraph(rng, deck, names, rng.choice(topics))
        paragraphs.append(para)
        words += len(para.split())
    if analysed:
        paragraphs.append(_fill(rng.choice(_ANALYSIS), rng, names, rng.choice(topics)))
    return "\n\n".join(paragraphs)


def par_sections(case: Case, today: date) -> dict[str, ParSectionDraft]:
    names = (case.applicants[0].first_name, case.applicants[1].first_name)
    drafts: dict[str, ParSectionDraft] = {}
    for n, (section_id, plan) in enumerate(_PLAN.items()):
        rng = random.Random(f"demo-par:{section_id}")
        text = _section_text(section_id, rng, names)
        edited = datetime.combine(today - timedelta(days=n % 9), time(9 + n % 8), tzinfo=UTC)
        drafts[section_id] = ParSectionDraft(
            section_id,
            text=text,
            status=plan[1],
            last_edited=edited if text else None,
            lines_of_enquiry_addressed=[
                loe.id for loe in case.lines_of_enquiry if section_id in loe.par_section_ids
            ]
            if text
            else [],
        )
    return drafts


_VISIT_NOTES = [
    "Explained the Stage 2 plan and the applicants' role; they signed the Stage 2 agreement. "
    "Began the chronology from Hannah's birth and Daniel's. Started the family tree: Hannah's "
    "parents (both living, retired), sister Rebecca; Daniel's mother (living), father "
    "(died 2015), three siblings. Provisional panel date agreed.",
    "Hannah alone. Childhood in a village, close to her mother, father often away with work. "
    "Good memories of school until her parents' separation aged 12. Teacher training in "
    "Nottingham. One significant relationship before Daniel (2008 to 2012, no children). "
    "Reflective about how her parents' separation shaped her wish to protect Isla.",
    "Daniel alone, by video call (shift change). Childhood in south London, strict but loving "
    "parents, church central to family life. Caution in 2002 for criminal damage after a "
    "night out (aged 18): full account given, consistent with DBS; he described the shame "
    "and his father's response. Relationship with Claire 2002 to 2008; Joshua born 2005.",
    "Joint. Relationship strengths: humour, shared values, dividing care of Isla around "
    "shifts. Conflict: tend to talk things through after a cooling-off walk. The "
    "miscarriages: both tearful; Hannah described counselling as the turning point. "
    "Motivation is clear and child-centred; they are not seeking to replace the babies lost.",
    "Whole household. Met Isla, who showed me her room and the spare room. She said she "
    'wants a brother or sister "but not a baby who cries all night". Eco-map completed: '
    "strong support from Rebecca, Daniel's mother and two couples from church. Biscuit "
    "calm throughout, settled on her bed after greeting me.",
]


def visit_notes(sequence: int, case: Case) -> str:
    return _VISIT_NOTES[sequence - 1]


_REFERENCE_NOTES = [
    "Interviewed at his home. Has known Daniel for 14 years (former colleagues) and Hannah "
    "since 2014. Describes them as steady, generous and good under pressure; gave the "
    "example of the couple caring for his children for a week when his wife was in "
    "hospital. Sees them as a strong team. No concerns about alcohol or drugs. Would "
    "offer practical help, including school runs.",
    "Interviewed by video call. Hannah's older sister. Spoke warmly of Hannah as a mother "
    "and of Daniel's patience. Confirmed Hannah's low mood after the miscarriages and said "
    "Hannah sought help early and recovered well. Would be a regular source of support; "
    "lives 40 minutes away. No concerns.",
    "Interviewed by telephone. Daniel's line manager for six years. Reliable, calm in "
    "emergencies, respected by colleagues; has mentored new staff. Manages the demands of "
    "shift work well and uses the staff support service appropriately after difficult "
    "jobs. Flexible working is available to parents adopting. No concerns.",
    "Interviewed by video call with Daniel's agreement. Together with Daniel 2002 to 2008; "
    "they share Joshua. The separation was sad but not hostile. She said Daniel has always "
    "been a committed father, paid maintenance and kept every contact arrangement. She "
    "remembered the 2002 caution as a one-off. Supports the application; no concerns.",
]


def reference_notes(index: int) -> str:
    return _REFERENCE_NOTES[index]
