"""Settings of the check-in benchmark's gunicorn (bench/bench_checkin.py): the project's own
settings, read from the environment as in production, with three benchmark-only changes:

- ROOT_URLCONF adds the floor view (bench/bench_checkin_urls.py) beside the project's URLs;
- plain static-file storage, so no ``collectstatic`` manifest is needed for the login page;
- a cheap password hash first, so logging hundreds of volunteers in (set-up, not measured)
  does not take minutes of Argon2.
"""

from qingyi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_checkin_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
