"""The predicates the archive knows, what they mean, and which are single-valued.

Curators may use other snake_case predicates; these are the ones documented
(and shown in the catalogue's ``predicates`` table). *Single-valued*
predicates have one true value and happen once — a person is born once, an
event occurred at one time — so two sources that give different values or
dates that cannot overlap **conflict**. Other predicates (``held_office``)
can truly recur: Khrushchev led the Moscow party organisation in 1935 and
again in 1949, so different dates are not a contradiction.
"""

from __future__ import annotations

import attrs

__all__ = ["Predicate", "PREDICATES", "SINGLE_VALUED", "describe"]


@attrs.frozen
class Predicate:
    name: str
    description: str
    single_valued: bool = False


_ALL = (
    Predicate("born", "The subject was born (date; object: place, if given).", True),
    Predicate("born_in", "The subject was born in the object place.", True),
    Predicate("died", "The subject died (date; object: place, if given).", True),
    Predicate("died_in", "The subject died in the object place.", True),
    Predicate("occurred", "The subject event took place (date).", True),
    Predicate("removed_from_office", "The subject was removed from the object office (date).", False),
    Predicate("held_office", "The subject held the object office (date: when appointed or in office)."),
    Predicate("elected_to", "The subject was elected to the object body."),
    Predicate("member_of", "The subject was a (full) member of the object organisation or body."),
    Predicate("candidate_member_of", "The subject was a candidate (alternate) member of the object body."),
    Predicate("party_member_of", "The subject joined the object party."),
    Predicate("studied_at", "The subject studied at the object institution."),
    Predicate("delegate_to", "The subject was a delegate to the object congress or meeting."),
    Predicate("awarded", "The subject received the object award."),
    Predicate("military_rank", "The subject held the literal military rank."),
    Predicate("political_adviser_to", "The subject was political adviser to the object person."),
    Predicate("participated_in", "The subject took part in the object event."),
    Predicate("worked_in", "The subject worked in the object place."),
    Predicate("sent_to", "The subject was sent to the object place."),
    Predicate("recalled_to", "The subject was recalled to the object place."),
    Predicate("oversaw", "The subject oversaw the object project or event."),
    Predicate("initiated", "The subject started the object scheme or policy."),
    Predicate("supporter_of", "The subject supported the object person or cause."),
    Predicate("survived", "The subject survived the object event."),
    Predicate("interrupted_by", "The subject's work was interrupted by the object event."),
    Predicate("responded_to", "The subject responded to the object event."),
    Predicate("lost_responsibility", "The subject lost responsibility for the literal domain."),
    Predicate("responsibility_transferred_to", "Responsibility passed from the subject to the object."),
    Predicate("delivered", "The subject delivered the object (or literal) speech or report."),
    Predicate("succeeded", "The subject succeeded the object person."),
    Predicate("said", "The subject said the literal words (a reported statement)."),
    # Life and person
    Predicate("married", "The subject married the object (or literal) person (date)."),
    Predicate("moved_to", "The subject moved to the object place (date)."),
    Predicate("buried_in", "The subject was buried in the object place."),
    Predicate("education", "The subject's schooling, in the literal's words."),
    Predicate("occupation", "The subject worked as the literal occupation (shepherd, metal fitter)."),
    Predicate("served_as", "The subject served in the literal role (political commissar)."),
    Predicate("social_origin", "The subject came from the literal social class (peasant)."),
    Predicate("ethnicity", "The subject was of the literal nationality or ethnicity."),
    Predicate("nickname", "The subject was called by the literal nickname."),
    Predicate("suffered", "The subject suffered the literal illness or blow (a stroke, pneumonia)."),
    # Careers and power
    Predicate("promoted", "The subject promoted the object person."),
    Predicate("owed_rise_to", "The subject owed their rise to the object person (a reading, often reported)."),
    Predicate("instigated_removal_of", "The subject brought about the removal of the object (or literal) person."),
    Predicate("first_among", "The subject was first among the object group (a collective leadership)."),
    Predicate("won", "The subject won the literal contest (a power struggle)."),
    Predicate("defeated", "The subject defeated the object person or group."),
    Predicate("arrested", "The subject was arrested (date)."),
    # Acts and decisions
    Predicate("advised", "The subject advised the literal course of action (to whom: in the claim's note)."),
    Predicate("proposed", "The subject proposed the literal plan."),
    Predicate("requested", "The subject asked for the literal action."),
    Predicate("decided", "The subject decided the literal action."),
    Predicate("authorised", "The subject authorised the object (or literal) measure."),
    Predicate("interrogated", "The subject questioned the literal person (and what was learned)."),
    Predicate("warned", "The subject warned the object person (of what: the literal or the note)."),
    Predicate("visited", "The subject visited the object place (date)."),
    Predicate("denounced", "The subject denounced the object person or policy."),
    Predicate("suppressed", "The subject put down the object uprising or movement."),
    Predicate("suppressed_by", "The subject uprising or movement was put down by the object (or literal)."),
    Predicate("ended", "The subject put an end to the literal practice (mass terror)."),
    Predicate("authored", "The subject wrote or dictated the object work."),
    # Views and knowledge
    Predicate("held_view", "The subject held the literal view."),
    Predicate("knew", "The subject knew the literal fact (a reading, often reported)."),
    Predicate("sympathised_with", "The subject sympathised with the literal group or cause."),
    Predicate("described_as", "The source describes the subject in the literal's words."),
    # Events, places and works
    Predicate("began", "The subject event began (date)."),
    Predicate("opened", "The subject (a building, a line) opened (date)."),
    Predicate("published", "The subject work was published (date; where, in the literal or note)."),
    Predicate("renamed", "The subject place was renamed the literal name (date)."),
    Predicate("death_announced", "The subject's death was announced (date)."),
    Predicate("caused", "The subject led to the literal (or object) outcome."),
    Predicate("triggered", "The subject set off the object event."),
    Predicate("rejected_by", "The subject proposal was rejected by the object body."),
    Predicate("reader_comment", "A reader commented on the subject (a blog post) in the literal's gist."),
)

PREDICATES: dict[str, Predicate] = {p.name: p for p in _ALL}
SINGLE_VALUED: frozenset[str] = frozenset(p.name for p in _ALL if p.single_valued)


def describe(name: str) -> str:
    known = PREDICATES.get(name)
    return known.description if known else "A predicate not in the archive's vocabulary."
