"""Clusters of similar feedback, computed here without any outside service.

TF-IDF over character n-grams (3 to 5, within word boundaries) and cosine similarity:
n-grams match the parts of German compounds ("Sprachkurs" in "Abendsprachkurse") and
inflected forms without a stemmer or a dictionary. Items whose similarity reaches the
threshold are linked, and linked items form a suggestion (single linkage). A moderator
confirms a suggestion as a cluster; one disposition given to the cluster is then given to
each member through the usual services, so each submitter sees it where they always do.

The same measure flags goals of different action fields that say nearly the same thing when
the concept is assembled (``goal_overlaps``). A contradiction is not detected as such: two
goals about the same matter read alike whether they agree or conflict, so a high similarity
between fields is the signal to read both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assist.feedback import KIND_OF_PREFIX, ref, round_items
from assist.models import FeedbackCluster, FeedbackClusterMember
from deliberation.models import Circle, Concept, Disposition, Goal, Round
from deliberation.rounds import services as round_services
from deliberation.rounds.selectors import FeedbackItem
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.types import Actor, user_of
from participation.services import feedback_disposition_set


def similarity_matrix(texts: list[str]) -> Any:
    """Pairwise cosine similarities of ``texts`` (a dense ``numpy`` array)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True, min_df=1
    )
    matrix = vectorizer.fit_transform(texts)
    return cosine_similarity(matrix)


def _threshold(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


@dataclass
class Suggestion:
    items: list[FeedbackItem]
    similarity: float  # the lowest similarity of a link within the group

    @property
    def refs(self) -> list[str]:
        return [ref(item) for item in self.items]


def _groups(texts: list[str], threshold: float) -> list[tuple[list[int], float]]:
    if len(texts) < 2:
        return []
    sims = similarity_matrix(texts)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    weakest: dict[tuple[int, int], float] = {}
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if sims[i, j] >= threshold:
                parent[find(j)] = find(i)
                weakest[(i, j)] = float(sims[i, j])
    members: dict[int, list[int]] = {}
    for i in range(len(texts)):
        members.setdefault(find(i), []).append(i)
    groups = []
    for indices in members.values():
        if len(indices) < 2:
            continue
        inside = set(indices)
        low = min(s for (i, j), s in weakest.items() if i in inside and j in inside)
        groups.append((indices, low))
    return groups


def clustered_refs(round_: Round) -> set[str]:
    prefix = {kind: p for p, kind in KIND_OF_PREFIX.items()}
    return {
        f"{prefix[kind]}{object_id}"
        for kind, object_id in FeedbackClusterMember.objects.filter(round=round_).values_list(
            "kind", "object_id"
        )
    }


def cluster_suggestions(round_: Round) -> list[Suggestion]:
    """Groups of near-duplicate feedback of ``round_`` not yet in a confirmed cluster, most
    similar first."""
    taken = clustered_refs(round_)
    items = [item for key, item in round_items(round_).items() if key not in taken]
    found = [
        Suggestion([items[i] for i in indices], similarity)
        for indices, similarity in _groups(
            [item.text for item in items], _threshold("ASSIST_CLUSTER_THRESHOLD", 0.4)
        )
    ]
    return sorted(found, key=lambda s: -s.similarity)


@dataclass
class Cluster:
    cluster: FeedbackCluster
    items: list[FeedbackItem]


def round_clusters(round_: Round) -> list[Cluster]:
    items = round_items(round_)
    prefix = {kind: p for p, kind in KIND_OF_PREFIX.items()}
    result = []
    for cluster in (
        FeedbackCluster.objects.filter(round=round_)
        .select_related("confirmed_by")
        .prefetch_related("members")
    ):
        members = [
            items[key]
            for member in cluster.members.all()
            if (key := f"{prefix[member.kind]}{member.object_id}") in items
        ]
        result.append(Cluster(cluster, members))
    return result


def _require_moderator(actor: Actor, circle: Circle) -> None:
    if not can(actor, "deliberation.view_room", circle):
        raise NotFound(_("Diese Runde gibt es nicht."))
    if not can(actor, "deliberation.manage_rounds", circle):
        raise Forbidden(_("Nur die Moderation des Raums bestätigt ähnliche Rückmeldungen."))


def cluster_confirm(
    *, actor: Actor, circle: Circle, round_: Round, refs: list[str]
) -> FeedbackCluster:
    """Confirm feedback of ``round_`` (two or more references, e.g. ``["c12", "a7"]``) as one
    cluster. Each piece of feedback belongs to at most one cluster of a round."""
    _require_moderator(actor, circle)
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise Invalid(_("Bitte Rückmeldungen als Liste angeben."), field="refs")
    refs = list(dict.fromkeys(r.strip() for r in refs))
    if len(refs) < 2:
        raise Invalid(_("Eine Gruppe braucht mindestens zwei Rückmeldungen."), field="refs")
    items = round_items(round_)
    unknown = [r for r in refs if r not in items]
    if unknown:
        raise NotFound(
            _("Diese Rückmeldungen gibt es in der Runde nicht: %(refs)s")
            % {"refs": ", ".join(unknown)},
            field="refs",
        )
    texts = [items[r].text for r in refs]
    sims = similarity_matrix(texts)
    low = min(float(sims[i, j]) for i in range(len(refs)) for j in range(i + 1, len(refs)))
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=round_.pk).first()
        taken = clustered_refs(round_) & set(refs)
        if taken:
            raise Conflict(
                _("Schon in einer Gruppe: %(refs)s") % {"refs": ", ".join(sorted(taken))},
                field="refs",
            )
        user = user_of(actor)
        assert user is not None
        cluster = FeedbackCluster.objects.create(
            round=round_, confirmed_by=user, confirmed_at=timezone.now(), similarity=low
        )
        FeedbackClusterMember.objects.bulk_create(
            FeedbackClusterMember(
                cluster=cluster, round=round_, kind=items[r].kind, object_id=items[r].pk
            )
            for r in refs
        )
    return cluster


def cluster_dissolve(*, actor: Actor, circle: Circle, round_: Round, cluster_id: int) -> None:
    """Undo a confirmation; dispositions already given stay with each member."""
    _require_moderator(actor, circle)
    deleted, _rows = FeedbackCluster.objects.filter(pk=cluster_id, round=round_).delete()
    if not deleted:
        raise NotFound(_("Diese Gruppe gibt es nicht."), field="cluster")


def cluster_disposition_set(
    *, actor: Actor, circle: Circle, round_: Round, cluster_id: int, value: str, response: str
) -> list[Disposition]:
    """Give every member of a confirmed cluster the same disposition, each through the
    service that gives it one alone (and its event), all or none. Permission and phase are
    those of a single disposition: the room's evaluators, in the evaluation phase."""
    cluster = FeedbackCluster.objects.filter(pk=cluster_id, round=round_, round__circle=circle)
    found = cluster.prefetch_related("members").first()
    if found is None or not can(actor, "deliberation.view_room", circle):
        raise NotFound(_("Diese Gruppe gibt es nicht."), field="cluster")
    given: list[Disposition] = []
    with transaction.atomic():
        for member in found.members.all():
            if member.kind in ("comment", "idea"):
                given.append(
                    round_services.disposition_set(
                        actor=actor,
                        circle=circle,
                        value=value,
                        response=response,
                        **{f"{member.kind}_id": member.object_id},
                    )
                )
            else:
                given.append(
                    feedback_disposition_set(
                        actor=actor,
                        circle=circle,
                        value=value,
                        response=response,
                        **{f"{member.kind}_id": member.object_id},
                    )
                )
    return given


# --- across action fields -----------------------------------------------------------------


@dataclass
class GoalPair:
    first: Goal
    second: Goal
    similarity: float


def goal_overlaps(concept: Concept, *, threshold: float | None = None) -> list[GoalPair]:
    """Pairs of goals of different action fields of ``concept`` whose current texts are
    near-duplicates (or, read alike, may conflict), most similar first."""
    goals = list(
        Goal.objects.filter(action_field__concept=concept)
        .select_related("action_field", "current_version")
        .order_by("action_field__order", "order", "pk")
    )
    goals = [g for g in goals if g.current_version is not None]
    if len(goals) < 2:
        return []
    limit = _threshold("ASSIST_GOAL_THRESHOLD", 0.35) if threshold is None else threshold
    texts = [f"{g.title}\n\n{g.current_version.text}" for g in goals]  # type: ignore[union-attr]
    sims = similarity_matrix(texts)
    pairs = [
        GoalPair(goals[i], goals[j], float(sims[i, j]))
        for i in range(len(goals))
        for j in range(i + 1, len(goals))
        if goals[i].action_field_id != goals[j].action_field_id and sims[i, j] >= limit
    ]
    return sorted(pairs, key=lambda p: -p.similarity)
