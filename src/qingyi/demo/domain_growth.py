# ruff: noqa: RUF001 — Chinese demo text uses full-width question marks.
"""The demo hospital's cadre growth: trainings, contests, self-inspections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qingyi.core import rules
from qingyi.growth.models import (
    Checklist,
    ChecklistQuestion,
    ContestResult,
    InspectionAnswer,
    InspectionProblem,
    RecordStatus,
    SelfInspection,
    TrainingRecord,
)
from qingyi.organizations.models import Position

QUESTIONS = (
    "查理想信念：是否坚持学习，政治立场是否坚定？",
    "查责任担当：是否履行团干部职责，带头完成急难险重任务？",
    "查工作作风：是否深入青年，有无形式主义、官僚主义表现？",
    "查联系青年：是否经常与团员青年谈心谈话，了解所思所盼？",
    "查纪律规矩：是否严格遵守组织纪律和院规院纪？",
    "查能力本领：是否主动学习业务与团务知识，本领有无短板？",
)
ANSWERS = (
    "能够按时参加集中学习，但自学深度还不够，今后将制定个人学习计划。",
    "基本履行职责，支部活动组织较为规范，个别活动准备时间不足。",
    "与团员青年交流较多，但对轮转人员关心不够。",
    "严格遵守纪律，无违规情况。",
    "业务工作繁忙时团务工作有所放松，需要统筹安排时间。",
    "积极参加团干部培训，但在新媒体宣传方面能力不足。",
)
PROBLEMS = (
    ("理论学习不够系统", "每月至少精读一篇学习材料并在支部分享"),
    ("与轮转团员联系不够", "建立轮转人员联系表，每季度谈心一次"),
    ("活动记录归档不及时", "活动结束三日内上传记录和照片"),
    ("宣传稿件数量偏少", "每季度至少投稿一篇"),
)
TRAININGS = (
    ("全省医院团干部培训班", TrainingRecord.Level.PROVINCIAL_LEAGUE, "共青团省委", 3),
    ("市直卫生系统团干部示范培训", TrainingRecord.Level.CITY_LEAGUE, "共青团市委", 2),
    ("青年干部能力提升网络培训", TrainingRecord.Level.HEALTH_COMMISSION, "市卫生健康委", 1),
    ("医院团干部集中轮训", TrainingRecord.Level.HOSPITAL, "医院团委", 1),
    ("新任团支部书记培训", TrainingRecord.Level.HOSPITAL, "医院团委", 1),
)
CONTESTS = (
    ("全市团干部“大比武”", ContestResult.Level.PROVINCIAL, "共青团市委"),
    ("医院团支部书记述职比武", ContestResult.Level.HOSPITAL, "医院团委"),
    ("团务知识竞赛", ContestResult.Level.HOSPITAL, "医院团委"),
)


class GrowthMixin:
    """Mixed into ``domains._Domains``, which holds the shared state (``b``, ``rng``, ``today`` ...)."""

    def growth(self) -> None:
        rng, today = self.rng, self.today
        year_start = dt.date(today.year, 1, 1)
        cadre_ids = sorted(
            set(
                Position.objects.filter(organization__in=[o.obj for o in self.orgs], start_on__lte=today)
                .exclude(end_on__lt=year_start)
                .values_list("person_id", flat=True)
            )
        )
        active = {p.pk for p in self.people}
        cadre_ids = [pk for pk in cadre_ids if pk in active]
        trainings, contests = [], []
        for pk in cadre_ids:
            for course, level, organiser, days in rng.sample(
                TRAININGS, rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0]
            ):
                start = today - dt.timedelta(days=rng.randint(20, 700))
                end = start + dt.timedelta(days=days - 1)
                hours = Decimal(min(rules.training_hours_allowed(start, end), days * rng.choice((6, 7, 8))))
                pending = end > today - dt.timedelta(days=40) and rng.random() < 0.3
                trainings.append(
                    TrainingRecord(
                        person_id=pk,
                        course=course,
                        level=level,
                        organiser=organiser,
                        start_on=start,
                        end_on=end,
                        hours=hours,
                        status=RecordStatus.PENDING if pending else RecordStatus.APPROVED,
                        entered_by=self.branch_admin if pending else self.admin,
                        decided_by=None if pending else self.admin,
                        decided_at=None if pending else self.at(end, dt.time(10)) + dt.timedelta(days=3),
                    )
                )
            if rng.random() < 0.2:
                contest, level, organiser = rng.choice(CONTESTS)
                contests.append(
                    ContestResult(
                        person_id=pk,
                        contest=contest,
                        level=level,
                        organiser=organiser,
                        held_on=today - dt.timedelta(days=rng.randint(20, 600)),
                        award=rng.choices(list(ContestResult.Award.values), weights=(5, 10, 15, 15, 5, 50))[
                            0
                        ],
                        entered_by=self.admin,
                        decided_by=self.admin,
                        decided_at=self.now - dt.timedelta(days=rng.randint(1, 15)),
                    )
                )
        TrainingRecord.objects.bulk_create(trainings)
        ContestResult.objects.bulk_create(contests)
        self.count("trainings", len(trainings))
        self.count("contest_results", len(contests))

        published = self.at(dt.date(today.year, 3, 1), dt.time(9))
        checklist = Checklist.objects.create(
            organization=self.committee,
            year=today.year,
            title=f"{today.year}年度团干部“六查六问”自查",
            intro="请每位团干部对照以下问题如实自查，列出问题和整改措施。",
            status=Checklist.Status.PUBLISHED,
            published_at=published,
            published_by=self.admin,
            created_by=self.admin,
        )
        questions = ChecklistQuestion.objects.bulk_create(
            [
                ChecklistQuestion(checklist=checklist, number=n, text=t)
                for n, t in enumerate(QUESTIONS, start=1)
            ]
        )
        answering = [pk for pk in cadre_ids if rng.random() < 0.82]
        inspections = SelfInspection.objects.bulk_create(
            [SelfInspection(checklist=checklist, person_id=pk, submitted_by=self.admin) for pk in answering]
        )
        answers, problems = [], []
        overdue = 0
        for inspection in inspections:
            answers += [
                InspectionAnswer(inspection=inspection, question=q, text=rng.choice(ANSWERS))
                for q in questions
            ]
            if rng.random() < 0.45:
                description, fix = rng.choice(PROBLEMS)
                due = dt.date(today.year, rng.randint(5, 12), rng.randint(1, 28))
                done = None
                if due < today:
                    if overdue < 5 and rng.random() < 0.15:
                        overdue += 1
                    else:
                        done = due - dt.timedelta(days=rng.randint(0, 30))
                problems.append(
                    InspectionProblem(
                        inspection=inspection,
                        description=description,
                        fix=fix,
                        due_on=due,
                        done_on=done,
                        done_note="已按措施完成整改。" if done else "",
                    )
                )
        InspectionAnswer.objects.bulk_create(answers, batch_size=2000)
        InspectionProblem.objects.bulk_create(problems)
        self.count("self_inspections", len(inspections))
        self.count("overdue_fixes", overdue)
