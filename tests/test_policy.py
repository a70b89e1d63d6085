"""The notification policy: documented defaults, and a policy that contradicts itself refused."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from models.notification import Channel, NotificationKind
from models.policy import NotificationPolicy, Party, QuietHours

K = NotificationKind


def test_defaults_send_everything_from_waypost_with_a_cap_of_ten() -> None:
    policy = NotificationPolicy()
    assert all(policy.owner(kind) is Party.WAYPOST for kind in NotificationKind)
    assert policy.sms_cap == 10
    assert policy.courier_lead_time == timedelta(hours=1)
    assert policy.quiet_hours == QuietHours(start=time(21), end=time(8))


def test_every_kind_has_default_channels() -> None:
    assert all(NotificationPolicy().channels_for(kind) for kind in NotificationKind)


def test_quiet_hours_of_zero_length_are_refused() -> None:
    with pytest.raises(ValidationError, match="zero length"):
        NotificationPolicy.model_validate({"quiet_hours": {"start": "22:00", "end": "22:00"}})


@pytest.mark.parametrize("field", ["start", "end"])
def test_quiet_hours_with_a_utc_offset_are_refused_naming_the_field(field: str) -> None:
    """Found by the hostile-input suite: "21:00+02:00" beside "08:00" made the workflow compare
    an aware time with a naive one (a TypeError in workflow code retries its task forever)."""
    times = {"start": "21:00", "end": "08:00", field: "21:30+02:00"}

    with pytest.raises(ValidationError, match=f"{field}\n.*without a UTC offset"):
        NotificationPolicy.model_validate({"quiet_hours": times})


def test_a_reminder_after_the_last_call_is_refused() -> None:
    with pytest.raises(ValidationError, match="does not fall before the final warning"):
        NotificationPolicy.model_validate(
            {"pickup": {"after_arrival": ["P6DT1H"], "storage_period": "P7D"}}
        )


def test_a_cap_below_what_the_policy_requires_is_refused() -> None:
    with pytest.raises(ValidationError, match="sms_cap 2 is below the 3 SMS"):
        NotificationPolicy(sms_cap=2)


def test_the_cap_counts_only_sms_that_waypost_sends() -> None:
    policy = NotificationPolicy(sms_cap=2, owners={K.DELIVERED: Party.CARRIER})
    assert policy.required_sms() == 2


def test_the_cap_counts_only_kinds_routed_to_sms() -> None:
    policy = NotificationPolicy(
        sms_cap=0,
        channels={K.OUT_FOR_DELIVERY: (Channel.EMAIL,), K.COURIER_ONE_HOUR: (), K.DELIVERED: ()},
    )
    assert policy.required_sms() == 0


def test_quiet_hours_span_midnight_in_the_recipients_zone() -> None:
    quiet = QuietHours()
    late = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)  # 21:30 in Warsaw, 20:30 in London
    assert quiet.contains(late, "Europe/Warsaw")
    assert not quiet.contains(late, "Europe/London")
    assert quiet.end_after(late, "Europe/Warsaw") == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def test_outside_quiet_hours_a_message_is_not_moved() -> None:
    noon = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert QuietHours().end_after(noon, "Europe/London") == noon
