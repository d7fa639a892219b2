"""Fit FSRS's parameters to one student's own reviews ("Optimize my scheduler"), as Anki does.

fsrs's :class:`~fsrs.optimizer.Optimizer` (``fsrs[optimizer]``: torch, pandas, tqdm)
fits the 21 weights of FSRS-6's memory model by gradient descent on the student's
review log: it replays each card's first 64 reviews and, at every review that comes
at least a day (24 h) after the card's previous one, compares the predicted recall
with what happened (Again = forgotten). Below :data:`MIN_REVIEWS` such reviews it
returns the defaults unchanged, so we say how many are still needed instead.

The fit is judged on the same reviews, old parameters against new, by log loss and
RMSE (bins), computed here without torch. New parameters are saved only when their
log loss is lower; then every card of the student is rescheduled from its review
log with them (``Scheduler.reschedule_card``), in the transaction that saves them.

torch is imported only inside :func:`fit`, never by a study page. One fit runs at a
time per process (:data:`_FIT_LOCK`): it keeps a CPU core busy for seconds to a
minute, and twenty students pressing the button at once should queue, not thrash.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from fsrs import Card as FsrsCard
from fsrs import Rating, ReviewLog, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from studyapp.core import card_control, reschedule, srs, study_settings
from studyapp.core.store import Store

MIN_REVIEWS = 512  # fsrs.optimizer's mini_batch_size: with fewer it returns the defaults
MAX_SEQ_LEN = 64  # fsrs.optimizer uses each card's first 64 reviews
BINS = 20  # RMSE (bins): predictions grouped into 20 equal-width bins of predicted recall
_FIT_LOCK = threading.Lock()

# card key -> its reviews in time order: (when, rating, duration in ms or None)
History = dict[str, list[tuple[datetime, Rating, int | None]]]


class NotEnoughReviews(ValueError):
    """Fewer reviews than the optimizer needs; ``counted`` and ``needed`` say how many."""

    def __init__(self, counted: int):
        self.counted, self.needed = counted, MIN_REVIEWS - counted
        super().__init__(
            f"The optimizer learns from reviews that come at least a day after the card's previous "
            f"review: you have {counted} of the {MIN_REVIEWS} it needs, so {self.needed} more are needed. "
            "Keep studying with the defaults until then.")


@dataclass(frozen=True)
class Fit:
    """One optimizer run: how well the old and the new parameters predict the student's reviews."""

    reviews: int  # reviews the fit learned from (see the module docstring)
    parameters_before: tuple[float, ...]
    parameters_after: tuple[float, ...]
    log_loss_before: float
    log_loss_after: float
    rmse_before: float  # RMSE (bins), 0..1
    rmse_after: float
    seconds: float  # wall time of the fit
    rescheduled: int = 0  # cards rescheduled with the new parameters (0 when they were not saved)

    @property
    def improved(self) -> bool:
        """The new parameters predict these reviews better (lower log loss): they are the ones saved."""
        return self.log_loss_after < self.log_loss_before

    def to_dict(self) -> dict:
        return {"reviews": self.reviews, "improved": self.improved,
                "parameters_before": list(self.parameters_before), "parameters_after": list(self.parameters_after),
                "log_loss_before": self.log_loss_before, "log_loss_after": self.log_loss_after,
                "rmse_bins_before": self.rmse_before, "rmse_bins_after": self.rmse_after, "seconds": self.seconds,
                "rescheduled": self.rescheduled}


def review_history(store: Store, user_id: str) -> History:
    """The student's reviews by card, oldest first; a reset card's reviews before its reset left
    out (they are not its memory). Ratings while cramming are not in the review log.

    Raises:
        StoreError: the database cannot be read.
    """
    resets = card_control.reset_times(store, user_id)
    rows = store.query("select card_key, rating, reviewed_at, duration_ms from review_log where user_id = ? "
                       "order by card_key, reviewed_at, id", (user_id,))
    history: History = defaultdict(list)
    for r in rows:
        if r["reviewed_at"] > resets.get(r["card_key"], ""):
            history[r["card_key"]].append((datetime.fromisoformat(r["reviewed_at"]), Rating(r["rating"]),
                                           r["duration_ms"]))
    return dict(history)


def counted_reviews(history: History) -> int:
    """Reviews the optimizer learns from: among each card's first 64, those a day or more after
    the review before (fsrs.optimizer's own rule)."""
    return sum(1 for reviews in history.values()
               for before, (at, _, _) in zip(reviews[:MAX_SEQ_LEN], reviews[1:MAX_SEQ_LEN])
               if (at - before[0]).days > 0)


# The same count in SQLite, for the Settings page (no history read into Python): gaps in whole
# milliseconds, so a gap of exactly one day counts as fsrs's timedelta.days does.
_COUNT_SQL = """
select count(*) as n from (
  select row_number() over w as i,
         cast(round((julianday(l.reviewed_at) - julianday(lag(l.reviewed_at) over w)) * 86400000) as integer) as ms
  from review_log l left join card_control c on c.user_id = l.user_id and c.card_key = l.card_key
  where l.user_id = ? and (c.reset_at is null or l.reviewed_at > c.reset_at)
  window w as (partition by l.card_key order by l.reviewed_at, l.id)
) where i <= ? and ms >= 86400000
"""


def count_reviews(store: Store, user_id: str) -> int:
    """:func:`counted_reviews` of the student's history, counted by SQLite.

    Raises:
        StoreError: the database cannot be read.
    """
    return store.query(_COUNT_SQL, (user_id, MAX_SEQ_LEN))[0]["n"]


def predictions(history: History, parameters) -> list[tuple[float, int]]:
    """(predicted recall, recalled 0/1) at every counted review, replayed as fsrs.optimizer does
    (its default steps; retention does not change a prediction)."""
    scheduler = Scheduler(parameters=parameters, enable_fuzzing=False)
    found = []
    for reviews in history.values():
        card = None
        for at, rating, _ in reviews[:MAX_SEQ_LEN]:
            card = card or FsrsCard(card_id=1, due=at)
            if card.last_review is not None and (at - card.last_review).days > 0:
                found.append((scheduler.get_card_retrievability(card, at), int(rating != Rating.Again)))
            card, _ = scheduler.review_card(card, rating, at)
    return found


def log_loss(pairs: list[tuple[float, int]]) -> float:
    """Mean binary cross-entropy of the predictions (nats; lower is better)."""
    eps = 1e-7  # as torch's BCELoss, a prediction of exactly 0 or 1 costs a finite amount
    return -sum(y * math.log(max(p, eps)) + (1 - y) * math.log(max(1 - p, eps)) for p, y in pairs) / len(pairs)


def rmse_bins(pairs: list[tuple[float, int]], bins: int = BINS) -> float:
    """RMSE (bins): predictions grouped by predicted recall into ``bins`` equal-width bins; the
    root of the count-weighted mean of (mean predicted - share recalled)^2 over the bins. It says
    how far the predicted recall is from the recall that happened (0..1; lower is better)."""
    groups: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for p, y in pairs:
        groups[min(int(p * bins), bins - 1)].append((p, y))
    squared = sum(len(g) * (sum(p for p, _ in g) / len(g) - sum(y for _, y in g) / len(g)) ** 2
                  for g in groups.values())
    return math.sqrt(squared / len(pairs))


def fit(history: History, parameters_before=DEFAULT_PARAMETERS) -> Fit:
    """Fit FSRS parameters to ``history`` and score old and new on it (imports torch).

    Raises:
        NotEnoughReviews: fewer than :data:`MIN_REVIEWS` counted reviews.
        ImportError: fsrs's optimizer extra (torch, pandas, tqdm) is not installed.
    """
    counted = counted_reviews(history)
    if counted < MIN_REVIEWS:
        raise NotEnoughReviews(counted)
    from fsrs.optimizer import Optimizer  # torch: seconds to import, only here

    ids = {key: i + 1 for i, key in enumerate(sorted(history))}
    logs = [ReviewLog(ids[key], rating, at, duration) for key, reviews in history.items()
            for at, rating, duration in reviews]
    started = time.perf_counter()
    with _FIT_LOCK:
        after = tuple(Optimizer(logs).compute_optimal_parameters())
    seconds = time.perf_counter() - started
    old, new = predictions(history, parameters_before), predictions(history, after)
    return Fit(counted, tuple(parameters_before), after, log_loss(old), log_loss(new),
               rmse_bins(old), rmse_bins(new), seconds)


def optimize(store: Store, user_id: str, base: study_settings.StudySettings, now: datetime, *,
             enable_fuzzing: bool = True) -> Fit:
    """"Optimize my scheduler": fit the student's parameters; when they predict better, save them
    and reschedule every card of the student with them, in one transaction.

    ``base`` are the settings of a student who saved none (the server's defaults).

    Raises:
        NotEnoughReviews: the student has too few reviews yet (the message says how many more).
        StoreError: the history cannot be read, or the result cannot be saved (nothing is changed).
    """
    settings = study_settings.load(store, user_id, base)
    result = fit(review_history(store, user_id), settings.parameters or DEFAULT_PARAMETERS)
    with store.writing("save your optimized scheduler to") as db:
        if result.improved:
            chosen = replace(settings, parameters=result.parameters_after)
            study_settings.save_in(db, user_id, chosen, now)
            moved = reschedule.reschedule_in(db, user_id, srs.scheduler_for(chosen, enable_fuzzing))
            result = replace(result, rescheduled=moved)
        db["optimizer_run"].insert(run_row(user_id, result, now))
    return result


def run_row(user_id: str, result: Fit, now: datetime) -> dict:
    """The ``optimizer_run`` row of one run (kept whether or not its parameters were saved)."""
    return {"user_id": user_id, "ran_at": now.isoformat(), "reviews": result.reviews,
            "parameters_before": json.dumps(result.parameters_before),
            "parameters_after": json.dumps(result.parameters_after),
            "log_loss_before": result.log_loss_before, "log_loss_after": result.log_loss_after,
            "rmse_before": result.rmse_before, "rmse_after": result.rmse_after, "seconds": result.seconds}


def latest_run(store: Store, user_id: str) -> dict | None:
    """The student's latest optimizer run as stored (None when they never ran it).

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select * from optimizer_run where user_id = ? order by ran_at desc, id desc limit 1",
                       (user_id,))
    return rows[0] if rows else None
