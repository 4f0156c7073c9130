"""A synthetic log shaped as SPEC §9 says a real one is: events of 1–10 entries each.

Events occur between 2014 and 2025 and are recorded in random world order
(history is backfilled). About 80 % are reported within a week of occurring,
5 % one to ten years late, 5 % announced up to 60 days ahead, the rest weeks
late; 3 % are open-ended and 10 % last longer than a month. Their entries: a
report, more sources (some earlier than the report, some with an explicit
`known_at` before their publication), corrections (a fifth of the events; some
move the date) whose `known_at` falls before entries already in the stream,
claims with stances, parties' positions on diplomatic events, and the odd
retraction and reinstatement. Actors come from a pool of a few hundred names.
Everything is seeded and repeatable.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import msgspec

from domain.commands import (
    AddSource,
    CorrectEvent,
    MakeClaim,
    Op,
    ReinstateEvent,
    ReportEvent,
    RetractEvent,
    TakePosition,
    TakeStance,
)
from domain.entries import POSITION_KINDS, Actor, Place, Source

FIRST, LAST = date(2014, 1, 1), date(2025, 12, 31)
KINDS = ["talks", "meeting", "call", "agreement", "ceasefire", "offensive", "battle", "withdrawal", "violation",
         "statement", "endorsement", "sanction", "other"]
KIND_WEIGHTS = [8, 6, 6, 3, 4, 10, 14, 4, 10, 12, 3, 4, 3]
PLACES = [("Donetsk", "UA", "UA-14"), ("Luhansk", "UA", "UA-09"), ("Kharkiv", "UA", "UA-63"),
          ("Kherson", "UA", "UA-65"), ("Zaporizhzhia", "UA", "UA-23"), ("Bakhmut", "UA", "UA-14"),
          ("Avdiivka", "UA", "UA-14"), ("Kyiv", "UA", "UA-30"), ("Sudzha", "RU", "RU-KRS"),
          ("Kursk", "RU", "RU-KRS"), ("Belgorod", "RU", "RU-BEL"), ("Moscow", "RU", None),
          ("Minsk", "BY", None), ("Istanbul", "TR", None), ("Doha", "QA", None), ("Jeddah", "SA", None),
          ("Riyadh", "SA", None), ("Geneva", "CH", None), ("Washington", "US", None), ("Ilovaisk", "UA", "UA-14"),
          ("Debaltseve", "UA", "UA-14"), ("Mariupol", "UA", "UA-14"), ("Odesa", "UA", "UA-51")]
GIVEN = ["Anna", "Boris", "Carla", "Dmytro", "Elena", "Farid", "Greta", "Hakan", "Irina", "Jonas", "Kateryna",
         "Leon", "Maria", "Nikolai", "Olena", "Pavel", "Rania", "Sergei", "Tomas", "Yulia"]
FAMILY = ["Petrenko", "Ivanov", "Al-Thani", "Schmidt", "Dubois", "Kovalenko", "Sokolov", "Yilmaz", "Novak",
          "Rossi", "Bondarenko", "Morozov", "Haddad", "Lindqvist", "Shevchenko"]
PEOPLE = [f"{given} {family}" for given in GIVEN for family in FAMILY]  # 300 names
PARTIES = ["Ukraine", "Russia", "United States", "Qatar", "Turkey", "Saudi Arabia", "France", "Germany",
           "Belarus", "OSCE", "European Union", "United Nations", "Donetsk People's Republic"]
TRACKS = ["minsk", "normandy-format", "istanbul-2022", "black-sea-grain", "qatar-energy", "us-brokered-2025",
          "zaporizhzhia-npp", "prisoner-exchange", "kursk", "energy-truce"]
PUBLISHERS = ["Reuters", "Associated Press", "Kyiv Independent", "Meduza", "ISW", "BBC", "Al Jazeera",
              "Financial Times", "Ukrainska Pravda", "TASS", "The Peacemonger (Substack)"]
CLAIMANTS = ["Russian MoD", "Ukrainian General Staff", "Kremlin spokesman", "Ukrainian President's Office",
             "DPR militia", "US State Department"]
WORDS = ("forces advance near the line of contact while envoys meet to discuss a partial truce covering "
         "energy infrastructure and the exchange of prisoners; officials say shelling continued overnight and "
         "both sides accuse each other of violations as mediators press for a monitored ceasefire").split()
FOLLOW_UPS = ["source", "claim", "stance", "position"]
FOLLOW_WEIGHTS = [40, 20, 20, 25]
SIZE_WEIGHTS = [22, 18, 14, 11, 9, 8, 6, 5, 4, 3]  # 1..10 entries; mean ≈ 3.7


class Synth:
    def __init__(self, seed: int = 2025, today: date | None = None):
        self.rng = random.Random(seed)
        self.today = min(LAST, today or date.today() - timedelta(days=1))

    # --- the log -------------------------------------------------------------------------------

    def ops(self) -> Iterator[Op]:
        """An endless stream of ops; any prefix of it is a valid log.

        A third of the events have their follow-ups held back and written a few
        hundred entries later, so streams interleave in the log as they do live.
        """
        held: list[tuple[int, list[Op]]] = []
        written = 0
        while True:
            ops = self.event()
            cut = 1 + self.rng.randrange(len(ops)) if self.rng.random() < 0.33 else len(ops)
            if cut < len(ops):
                held.append((written + self.rng.randrange(50, 1500), ops[cut:]))
            due = [tail for at, tail in held if at <= written]
            held = [(at, tail) for at, tail in held if at > written]
            for op in [*ops[:cut], *(op for tail in due for op in tail)]:
                written += 1
                yield op

    def event(self) -> list[Op]:
        """One event's ops, in the order a writer would send them."""
        rng = self.rng
        event_id, kind = str(uuid.UUID(int=rng.getrandbits(128))), rng.choices(KINDS, KIND_WEIGHTS)[0]
        day = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days))
        published = self._day(day, self._delay())
        actors = [*rng.sample(PARTIES, rng.randint(1, 2)), *rng.sample(PEOPLE, rng.randint(0, 2))]
        ops = [Op(command=self.report(kind, day, published, actors, event_id))]
        claims: list[str] = []
        for _ in range(rng.choices(range(10), SIZE_WEIGHTS)[0]):
            ops.append(self._follow_up(event_id, kind, day, actors, claims))
        if rng.random() < 0.2:  # a correction, half of them moving the date
            moved = {"occurred": self._occurred(day + timedelta(days=rng.randint(-20, 20)))}
            changes = moved if rng.random() < 0.5 else {"title": f"{actors[0]}: {self._words(6)}"}
            ops.insert(rng.randint(1, len(ops)), Op(event_id=event_id, command=CorrectEvent(
                changes=changes, reason="a later report", source=self.source(self._day(day, rng.randrange(1, 90))))))
        if rng.random() < 0.03:
            ops.append(Op(event_id=event_id, command=RetractEvent(
                reason="the report was false", source=self.source(self._day(day, rng.randrange(5, 90))))))
            if rng.random() < 0.3:
                ops.append(Op(event_id=event_id, command=ReinstateEvent(
                    reason="the retraction was a mistake", source=self.source(self._day(day, rng.randrange(90, 200))))))
        return ops[:10]

    def report(self, kind: str, day: date, published: date, actors: list[str], event_id: str | None = None,
               occurred: str | None = None) -> ReportEvent:
        rng = self.rng
        places = [Place(name=n, country=c, subdivision=s) for n, c, s in rng.sample(PLACES, rng.randint(1, 2))]
        role = "party" if kind in POSITION_KINDS else rng.choice(["attacker", "defender", "speaker", "observer"])
        return ReportEvent(
            id=event_id, kind=kind, title=f"{actors[0]}: {kind} near {places[0].name}, {self._words(5)}",
            summary=self._words(rng.randint(20, 60)), occurred=occurred or self._occurred(day), places=places,
            actors=[Actor(name=a, role=role) for a in actors],
            track=rng.choice(TRACKS) if kind in POSITION_KINDS and rng.random() < 0.7 else None,
            tags=rng.sample(["donbas", "kursk", "energy", "grain", "prisoners", "nuclear", "airstrike"], 2),
            source=self.source(published))

    def _follow_up(self, event_id: str, kind: str, day: date, actors: list[str], claims: list[str]) -> Op:
        rng = self.rng
        what = rng.choices(FOLLOW_UPS, FOLLOW_WEIGHTS)[0]
        if what == "stance" and not claims:
            what = "claim"
        if what == "position" and kind not in POSITION_KINDS:
            what = "source"
        later = self._day(day, rng.randrange(-5, 60))
        if what == "source":  # a fifth are backfilled: known before the cited text appeared
            known = self._day(day, 0).isoformat() if rng.random() < 0.2 else None
            return Op(event_id=event_id, command=AddSource(source=self.source(later), known_at=known))
        if what == "claim":
            claims.append(str(uuid.UUID(int=rng.getrandbits(128))))
            return Op(event_id=event_id, command=MakeClaim(
                claim_id=claims[-1], claimant=rng.choice(CLAIMANTS), statement=self._words(15),
                source=self.source(self._day(day, rng.randrange(0, 10)))))
        if what == "stance":
            return Op(claim_id=rng.choice(claims), command=TakeStance(
                by=rng.choice(["ISW", *CLAIMANTS]), stance=rng.choice(["supports", "disputes", "confirms", "refutes",
                                                                       "retracts"]),
                source=self.source(self._day(day, rng.randrange(1, 40)))))
        return Op(event_id=event_id, command=TakePosition(
            party=rng.choice(actors), conditions=None,
            position=rng.choice(["proposes", "accepts", "accepts_with_conditions", "rejects", "signs"]),
            source=self.source(self._day(day, rng.randrange(0, 20)))))

    # --- pieces -------------------------------------------------------------------------------

    def source(self, published: date) -> Source:
        rng = self.rng
        at = published.isoformat() if rng.random() < 0.5 else f"{published.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
        return Source(publisher=rng.choice(PUBLISHERS), title=self._words(8), published_at=at,
                      url=f"https://news.example.org/{published.isoformat()}/{rng.getrandbits(40):x}",
                      reliability=rng.choice(["A", "B", "C", None]))

    def _delay(self) -> int:
        """Days from occurring to the first report: negative when announced ahead."""
        roll, rng = self.rng.random(), self.rng
        if roll < 0.80:
            return rng.randrange(0, 7)
        if roll < 0.85:
            return rng.randrange(365, 3650)
        if roll < 0.90:
            return -rng.randrange(1, 61)
        return rng.randrange(7, 60)

    def _occurred(self, day: date) -> str:
        roll = self.rng.random()
        if roll < 0.03:
            return f"{day.isoformat()}/.."
        if roll < 0.13:
            return f"{day.isoformat()}/{(day + timedelta(days=self.rng.randrange(32, 700))).isoformat()}"
        if roll < 0.23:
            return day.isoformat()[:7]
        if roll < 0.30:
            return f"{day.isoformat()}/{(day + timedelta(days=self.rng.choice([1, 2, 6]))).isoformat()}"
        if roll < 0.35:
            return f"{day.isoformat()}~"
        return day.isoformat()

    def _day(self, day: date, offset: int) -> date:
        return max(FIRST, min(self.today, day + timedelta(days=offset)))

    def _words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count)).capitalize()


def report_bodies(count: int, seed: int = 7) -> list[dict]:
    """Bodies for `POST /v1/events` (and the baseline's aggregates): reports as they come in, of events
    of the last two months, with no chosen id."""
    synth = Synth(seed)
    bodies = []
    for _ in range(count):
        kind = synth.rng.choices(KINDS, KIND_WEIGHTS)[0]
        day = synth.today - timedelta(days=synth.rng.randrange(60))
        report = synth.report(kind, day, synth._day(day, 1), synth.rng.sample(PARTIES, 2))
        bodies.append({k: v for k, v in msgspec.to_builtins(report).items() if k != "id"})
    return bodies
