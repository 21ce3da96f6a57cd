"""The demo app: the fictional demo hospital, above every domain (see ``hospital``).

This package is imported while Django loads its apps, so it imports no models here; the
builder's public face is ``qingyi.demo.hospital``.
"""
