"""The public face of the fictional demo hospital (``manage.py demo_data``) and of the builder
the volume generator reuses.

``shape`` holds one hospital's organisations, branches and staff mix, ``names`` the invented
names and numbers, ``accounts`` the demo logins and ``build`` the bulk builder.
"""

from qingyi.demo.accounts import DemoAccount, demo_accounts, demo_exists
from qingyi.demo.build import build
from qingyi.demo.shape import (
    COMMITTEE_NAME,
    DEFAULT_SEED,
    DEMO_BRANCH,
    DEMO_PASSWORD,
    HOSPITAL_PEOPLE,
    MIN_PEOPLE_PER_HOSPITAL,
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
