"""The fictional demo hospital (``manage.py demo_data``) and the builder the volume generator reuses."""

from qingyi.core.demo.build import (
    COMMITTEE_NAME,
    DEFAULT_SEED,
    DEMO_BRANCH,
    DEMO_PASSWORD,
    HOSPITAL_PEOPLE,
    MIN_PEOPLE_PER_HOSPITAL,
    DemoAccount,
    build,
    demo_accounts,
    demo_exists,
    hospitals_for,
    orgs_per_hospital,
)

__all__ = [
    "COMMITTEE_NAME",
    "DEFAULT_SEED",
    "DEMO_BRANCH",
    "DEMO_PASSWORD",
    "HOSPITAL_PEOPLE",
    "MIN_PEOPLE_PER_HOSPITAL",
    "DemoAccount",
    "build",
    "demo_accounts",
    "demo_exists",
    "hospitals_for",
    "orgs_per_hospital",
]
