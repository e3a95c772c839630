"""A sign-up surge on two web processes while PostgreSQL restarts: no category holds more
seats than it has, nobody holds two applications, every client gets an answer."""

from __future__ import annotations

from bench.faults import signup_restart


def test_no_overbooking_when_the_database_restarts_mid_surge(fault_services):
    f = signup_restart(fault_services, clients=30)
    assert f["clients_unfinished"] == 0
    assert not f["overbooked"]
    assert f["seats_held"] == {"stakeholder": 5, "public": 5}
    assert f["applicants_with_two_rows"] == 0
    assert f["applications_stored"] == 30
    assert "500" not in f["statuses"]
