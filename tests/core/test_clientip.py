"""The client's address behind reverse proxies (core/clientip.py), for rate limits and axes."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from qingyi.core.clientip import client_ip
from qingyi.escorts import services
from qingyi.escorts.models import EscortRequest


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_connection_is_the_client_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(_request(forwarded="203.0.113.9")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own (forged) entry is not read
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "2001:db8::1", "2001:db8::1"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: not through them
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_behind_proxies_the_client_is_the_address_the_outermost_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    assert client_ip(_request(forwarded=forwarded)) == expected


def test_patients_behind_the_proxy_are_not_throttled_together(client, personas, settings):
    """Every request reaches the app from the proxy's address; the form's limit counts per patient."""
    settings.TRUSTED_PROXIES = 1
    wanted = timezone.localtime(timezone.now() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("escorts:request_new")
    limit = services.RATE_PER_IP[0]
    for i in range(limit + 1):
        client.post(
            url,
            {"patient_name": "甲", "phone": f"1380000{i:04d}", "wanted_at": wanted},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert EscortRequest.objects.count() == limit  # the one address past its limit was refused
    response = client.post(
        url,
        {"patient_name": "乙", "phone": "13811112222", "wanted_at": wanted},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302  # another patient, through the same proxy, still gets in
    assert EscortRequest.objects.filter(patient_name="乙").exists()
