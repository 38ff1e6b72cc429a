"""Input and output shapes of the attendance API. Inputs validate types only; the rules
(who, when, which members) are ``attendance.services``'."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import UtcDateTimeField


class AttendancePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RollCallEntrySerializer(serializers.Serializer):
    user = AttendancePersonSerializer()
    role = serializers.CharField()
    present = serializers.BooleanField()
    from_presence = serializers.BooleanField(help_text="Pre-filled: the room showed them.")
    confirmed = serializers.BooleanField(help_text="The moderator confirmed or corrected it.")


class RollCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    circle = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    opened_by = AttendancePersonSerializer()
    opened_at = UtcDateTimeField()
    closed_at = UtcDateTimeField(allow_null=True)
    members = serializers.IntegerField()
    present = serializers.IntegerField()
    entries = RollCallEntrySerializer(many=True)


class RollCallMarkInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, help_text="A member of the circle.")
    present = serializers.BooleanField()


class DeputySerializer(serializers.Serializer):
    member = AttendancePersonSerializer()
    deputy = AttendancePersonSerializer()
    registered_by = AttendancePersonSerializer()
    registered_at = UtcDateTimeField()
    removed_by = AttendancePersonSerializer(allow_null=True)
    removed_at = UtcDateTimeField(allow_null=True)


class DeputyChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["registered", "removed"])
    member = AttendancePersonSerializer()
    deputy = AttendancePersonSerializer()
    actor = AttendancePersonSerializer()
    at = UtcDateTimeField()


class DeputyInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, help_text="An expert of the circle.")
    deputy = serializers.IntegerField(min_value=1, help_text="Any other active account.")


class DeputyRightSerializer(serializers.Serializer):
    member = AttendancePersonSerializer()
    used = serializers.BooleanField(help_text="You already cast this member's ballot.")


class DeputyBallotInputSerializer(serializers.Serializer):
    choice = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    resistances = serializers.DictField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None
    )
