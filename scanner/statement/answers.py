"""A bare answer under a question heading, read as the statement it makes.

FAQ-style statements ask and answer: 'Do we use "cookies"?' then a line that says only "No.".
Neither line makes a claim on its own (the question even reads like an affirmation); together
they say "we do not use cookies". `answered` turns such a pair into that plain statement, which
the claim patterns then read like any other sentence.
"""

from __future__ import annotations

import re

_SUBJECT = (
    r"we|you|they|it|this (?:site|website|service|app|page)|our (?:site|website|service|app)"
    r"|your (?:\w+ )?(?:data|information|details)|(?:any )?(?:personal )?(?:data|information)"
    r"|cookies|[A-Z][\w.-]*"
)
_QUESTION = re.compile(
    rf"^\W*(do|does|did|will|would|can|is|are)\s+({_SUBJECT})\s+(.+?)\s*\?\W*$", re.IGNORECASE
)
# "No." "Yes!" "No, we do not." "Yes, we do."
_ANSWER = re.compile(
    r"^\W*(yes|no)\b(?:,?\s+(?:we|it|they|this \w+)\s+\w+(?:\s+not|n't)?)?\W*$", re.IGNORECASE
)


def answered(question: str, answer: str) -> str | None:
    """The statement `answer` makes of the yes/no `question` before it, or None.

    'Do we use "cookies"?' + "No." -> "we do not use cookies"; "Is your data sold?" + "Yes."
    -> "your data is sold". Anything that is not a bare yes or no to such a question: None.
    """
    reply = _ANSWER.match(answer)
    asked = _QUESTION.match(question)
    if reply is None or asked is None:
        return None
    auxiliary, subject, rest = asked.groups()
    rest = rest.replace('"', "")  # 'use "cookies"': the quotes only set the word apart
    if reply.group(1).lower() == "yes":
        do_support = auxiliary.lower() in {"do", "does", "did"}
        return f"{subject} {rest}" if do_support else f"{subject} {auxiliary} {rest}"
    return f"{subject} {auxiliary} not {rest}"
