"""The demo hospital's escort requests and a call-up."""

from __future__ import annotations

import datetime as dt

from qingyi.callups.models import CallUp, Response
from qingyi.escorts.models import EscortRequest, token_digest
from qingyi.volunteering.models import (
    JoinMode,
    Post,
    Project,
    ServiceRecord,
    Shift,
    Signup,
    Volunteer,
)


class EscortsMixin:
    """Mixed into ``domains._Domains``, which holds the shared state (``b``, ``rng``, ``today`` ...)."""

    def escorts(self) -> None:
        rng, today = self.rng, self.today
        departments = list(self.b.departments.values())
        escorters = [v for v in self.active_vols if v.kind == Volunteer.Kind.STAFF][:40]
        plan = ["new"] * 4 + ["assigned"] * 4 + ["under_way"] + ["done"] * 28 + ["cancelled"] * 4
        rows = []
        for n, state in enumerate(plan):
            if state in ("new", "assigned"):
                wanted = self.at(
                    today + dt.timedelta(days=rng.randint(1, 6)), dt.time(rng.choice((8, 9, 10)), 0)
                )
            elif state == "under_way":
                wanted = self.now - dt.timedelta(minutes=40)
            else:
                wanted = self.at(
                    today - dt.timedelta(days=rng.randint(2, 300)), dt.time(rng.choice((8, 9, 10)), 30)
                )
            created = wanted - dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 8))
            volunteer = None
            if state not in ("new", "cancelled"):
                volunteer = (
                    self.member_vol
                    if state == "assigned" and n == 4 and self.member_vol
                    else rng.choice(escorters)
                )
            assigned_at = created + dt.timedelta(minutes=rng.randint(10, 300)) if volunteer else None
            row = EscortRequest(
                organization=self.committee,
                status=state,
                patient_name=self.b.name(rng.random() < 0.5),
                phone=self.b.phone(),
                needs=rng.choice(
                    ("行动不便，需要轮椅", "独自就医，不会使用自助机", "听力不好，需要陪同沟通", "")
                ),
                wanted_at=wanted,
                department=rng.choice(departments) if departments else None,
                token_digest=token_digest(f"demo-escort-{n}-{rng.random()}"),
                volunteer=volunteer,
                assigned_by=self.coordinator if volunteer else None,
                assigned_at=assigned_at,
                started_at=wanted if state in ("under_way", "done") else None,
                done_at=wanted + dt.timedelta(minutes=rng.randint(60, 180)) if state == "done" else None,
                outcome_note="顺利完成检查和取药。" if state == "done" else "",
                cancelled_at=created + dt.timedelta(hours=rng.randint(1, 20))
                if state == "cancelled"
                else None,
                cancelled_by=self.coordinator if state == "cancelled" else None,
                cancel_reason="患者改期就诊" if state == "cancelled" else "",
            )
            if state == "done" and rng.random() < 0.8:
                row.rating = rng.choices((5, 4, 3), weights=(70, 25, 5))[0]
                row.rating_comment = rng.choice(("志愿者非常耐心", "很贴心，谢谢", ""))
                row.rated_at = row.done_at + dt.timedelta(hours=rng.randint(1, 30))
            row._created = created
            rows.append(row)
        saved = EscortRequest.objects.bulk_create(rows)
        for row, original in zip(saved, rows, strict=True):
            row.created_at = original._created
        EscortRequest.objects.bulk_update(saved, ["created_at"])
        self.count("escort_requests", len(saved))

    def callup(self) -> None:
        rng, today = self.rng, self.today
        day = today - dt.timedelta(days=rng.randint(40, 70))
        starts, ends = self.at(day, dt.time(8, 0)), self.at(day, dt.time(12, 0))
        title = "流感疫苗集中接种现场保障"
        project = Project.objects.create(
            organization=self.committee,
            name=f"应急动员：{title}（{day:%Y-%m-%d}）",
            kind=Project.Kind.OTHER,
            created_by=self.coordinator,
        )
        posts = Post.objects.bulk_create([Post(project=project, name=n) for n in ("现场引导", "信息登记")])
        shifts = self.b.add(
            Shift,
            [
                Shift(
                    project=project,
                    post=p,
                    start=starts,
                    end=ends,
                    place="门诊楼二楼接种点",
                    capacity=c,
                    join_mode=JoinMode.ASSIGNMENT,
                )
                for p, c in zip(posts, (4, 3), strict=True)
            ],
        )
        sent = starts - dt.timedelta(days=2)
        callup = CallUp.objects.create(
            title=title,
            kind=CallUp.Kind.VACCINATION,
            organization=self.committee,
            project=project,
            message="周六上午集中接种，需引导和登记志愿者，请在两小时内回复。",
            place="门诊楼二楼接种点",
            starts_at=starts,
            ends_at=ends,
            status=CallUp.Status.CLOSED,
            first_sent_at=sent,
            closed_at=ends + dt.timedelta(hours=2),
            created_by=self.coordinator,
        )
        staff = [v for v in self.active_vols if v.kind == Volunteer.Kind.STAFF and v is not self.member_vol]
        asked = rng.sample(staff, min(30, len(staff)))
        responses, signups, records = [], [], []
        places = [s for s in shifts for _ in range(s.capacity)]
        for n, v in enumerate(asked):
            answer = (
                Response.Answer.ACCEPTED
                if n < 12
                else Response.Answer.DECLINED
                if n < 20
                else Response.Answer.PENDING
            )
            answered = (
                sent + dt.timedelta(minutes=rng.randint(3, 150))
                if answer != Response.Answer.PENDING
                else None
            )
            responses.append(
                Response(callup=callup, volunteer=v, sent_at=sent, answer=answer, responded_at=answered)
            )
            if answer == Response.Answer.ACCEPTED and places:
                shift = places.pop(0)
                signups.append(
                    Signup(
                        shift=shift, volunteer=v, status=Signup.Status.CONFIRMED, decided_by=self.coordinator
                    )
                )
                records.append(
                    self._record(shift, v, (title, None, None, None, None, None, None, None, (15, 40)), day)
                )
        Response.objects.bulk_create(responses)
        Signup.objects.bulk_create(signups)
        self.b.add(ServiceRecord, records)
        self.count("callups", 1)
        self.count("callup_responses", len(responses))
