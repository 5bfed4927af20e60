"""The persuasion-technique taxonomy of SemEval-2023 Task 3, and its bridge to SemEval-2020 Task 11.

The model is trained on the Propaganda Techniques Corpus (PTC, 14 classes, SemEval-2020);
sayso reports SemEval-2023 names. Most PTC classes are one 2023 technique; two PTC classes
merge several 2023 techniques, and ``semeval2023_name`` picks one by the words of the span,
saying so in the reason. Techniques of 2023 that PTC has no class for are listed in the
taxonomy but never predicted (docs/MODEL_CARD.md says which).
"""

from __future__ import annotations

import re

GROUPS: dict[str, tuple[str, ...]] = {
    "Attack_on_Reputation": (
        "Name_Calling-Labeling",
        "Guilt_by_Association",
        "Casting_Doubt",
        "Appeal_to_Hypocrisy",
        "Questioning_the_Reputation",
    ),
    "Justification": (
        "Flag_Waving",
        "Appeal_to_Authority",
        "Appeal_to_Popularity",
        "Appeal_to_Values",
        "Appeal_to_Fear-Prejudice",
    ),
    "Simplification": (
        "Causal_Oversimplification",
        "False_Dilemma-No_Choice",
        "Consequential_Oversimplification",
    ),
    "Distraction": ("Straw_Man", "Red_Herring", "Whataboutism"),
    "Call": ("Slogans", "Conversation_Killer", "Appeal_to_Time"),
    "Manipulative_Wording": (
        "Loaded_Language",
        "Obfuscation-Vagueness-Confusion",
        "Exaggeration-Minimisation",
        "Repetition",
    ),
}

GROUP_OF: dict[str, str] = {
    technique: group for group, techniques in GROUPS.items() for technique in techniques
}

# The 14 PTC classes in the order of the model's outputs.
PTC_CLASSES: tuple[str, ...] = (
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Doubt",
    "Exaggeration,Minimisation",
    "Appeal_to_fear-prejudice",
    "Flag-Waving",
    "Causal_Oversimplification",
    "Appeal_to_Authority",
    "Slogans",
    "Whataboutism,Straw_Men,Red_Herring",
    "Black-and-White_Fallacy",
    "Thought-terminating_Cliches",
    "Bandwagon,Reductio_ad_hitlerum",
)

PTC_TO_SEMEVAL2023: dict[str, tuple[str, ...]] = {
    "Loaded_Language": ("Loaded_Language",),
    "Name_Calling,Labeling": ("Name_Calling-Labeling",),
    "Repetition": ("Repetition",),
    "Doubt": ("Casting_Doubt",),
    "Exaggeration,Minimisation": ("Exaggeration-Minimisation",),
    "Appeal_to_fear-prejudice": ("Appeal_to_Fear-Prejudice",),
    "Flag-Waving": ("Flag_Waving",),
    "Causal_Oversimplification": ("Causal_Oversimplification",),
    "Appeal_to_Authority": ("Appeal_to_Authority",),
    "Slogans": ("Slogans",),
    "Whataboutism,Straw_Men,Red_Herring": ("Whataboutism", "Straw_Man", "Red_Herring"),
    "Black-and-White_Fallacy": ("False_Dilemma-No_Choice",),
    "Thought-terminating_Cliches": ("Conversation_Killer",),
    "Bandwagon,Reductio_ad_hitlerum": ("Appeal_to_Popularity", "Guilt_by_Association"),
}

SEMEVAL2023_TO_PTC: dict[str, str] = {
    technique: ptc for ptc, techniques in PTC_TO_SEMEVAL2023.items() for technique in techniques
}

# What each technique does, in the reader's terms: the first half of every reason.
DEFINITIONS: dict[str, str] = {
    "Loaded_Language": "wording with strong emotional connotations, used to sway the reader",
    "Name_Calling-Labeling": "a label meant to make the reader fear, hate or admire its target",
    "Repetition": "the same message repeated to make it stick",
    "Casting_Doubt": "questions the credibility of someone or something",
    "Exaggeration-Minimisation": "makes something larger, worse, smaller or milder than it is",
    "Appeal_to_Fear-Prejudice": "builds support for an idea through fear or prejudice",
    "Flag_Waving": "appeals to patriotism or group identity to justify a stance",
    "Causal_Oversimplification": "one cause given for an outcome that has several",
    "Appeal_to_Authority": "a claim held true because an authority said so",
    "Slogans": "a brief, striking phrase in place of an argument",
    "Whataboutism": "deflects a charge by pointing at the accuser's own conduct",
    "Straw_Man": "refutes a distorted version of the opponent's position",
    "Red_Herring": "diverts attention to an irrelevant matter",
    "False_Dilemma-No_Choice": "presents two options as the only ones",
    "Conversation_Killer": "a phrase that discourages further discussion",
    "Appeal_to_Popularity": "a claim held true because many agree with it",
    "Guilt_by_Association": "discredits something by linking it to a reviled group or person",
}

_WHATABOUT = re.compile(r"\b(what about|whataboutism|double standards?|hypocri\w*)\b", re.I)
_STRAW_MAN = re.compile(r"\b(they (say|claim|want|think)|so[- ]called|would have us)\b", re.I)
_REVILED = re.compile(
    r"\b(hitler\w*|nazi\w*|stalin\w*|fascis\w*|kgb|gestapo|soviet\w*|communis\w*|taliban|"
    r"isis|al[- ]qaeda|mao\w*|pol pot)\b",
    re.I,
)


def semeval2023_name(ptc_class: str, span_text: str) -> tuple[str, str]:
    """The SemEval-2023 technique for a span of a PTC class, and a note on how it was picked
    ("" where the mapping is one to one)."""
    choices = PTC_TO_SEMEVAL2023[ptc_class]
    if len(choices) == 1:
        return choices[0], ""
    if ptc_class == "Bandwagon,Reductio_ad_hitlerum":
        if _REVILED.search(span_text):
            return "Guilt_by_Association", "names a reviled group or figure"
        return "Appeal_to_Popularity", "names no reviled group or figure"
    if _WHATABOUT.search(span_text):
        return "Whataboutism", "points at the other side's conduct"
    if _STRAW_MAN.search(span_text):
        return "Straw_Man", "restates what the other side supposedly holds"
    return "Red_Herring", "neither a counter-accusation nor a restated position"


def reason(technique: str, score: float, note: str = "") -> str:
    """A sentence a reader can check against the span."""
    text = f"{technique.replace('_', ' ')}: {DEFINITIONS[technique]} (model score {score:.2f}"
    if note:
        text += f"; told apart from its sibling techniques because it {note}"
    return text + ")."


FRAMES: tuple[str, ...] = (
    "Economic",
    "Capacity_and_resources",
    "Morality",
    "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence",
    "Policy_prescription_and_evaluation",
    "Crime_and_punishment",
    "Security_and_defense",
    "Health_and_safety",
    "Quality_of_life",
    "Cultural_identity",
    "Public_opinion",
    "Political",
    "External_regulation_and_reputation",
)

GENRES: tuple[str, ...] = ("reporting", "opinion", "satire")
