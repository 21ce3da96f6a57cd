"""Operations: liveness and readiness for a load balancer, Prometheus metrics, backup and restore.

A floor of its own above core: it may read core and the metrics registry, never a domain app.
"""
