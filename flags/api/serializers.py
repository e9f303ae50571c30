from rest_framework import serializers

from flags.evaluation import Reason
from vividly.api_errors import ErrorSerializer


class FlagDecisionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The flag key.")
    active = serializers.BooleanField(help_text="Whether the flag is on for the requesting user.")
    reason = serializers.ChoiceField(
        choices=[r.value for r in Reason if r is not Reason.UNKNOWN_FLAG],
        help_text="The rule that decided: user_override > school_override > district_override > "
        "role > percentage > global.",
    )


class FlagErrorSerializer(ErrorSerializer):
    """The one API error body plus the flag key asked about."""

    code = serializers.CharField()
    key = serializers.CharField()
