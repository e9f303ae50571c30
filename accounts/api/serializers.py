from rest_framework import serializers

from accounts.models import User


class MeSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    school = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    interests = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "district", "school",
                  "grade_level", "interests"]
        read_only_fields = fields


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, write_only=True)
    password = serializers.CharField(max_length=4096, write_only=True, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class TokenRefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096, write_only=True)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096, required=False, write_only=True,
                                    help_text="The refresh token to revoke.")
    all = serializers.BooleanField(required=False, default=False, write_only=True,
                                   help_text="Revoke every session and token of the signed-in user.")

    def validate(self, attrs):
        if not attrs.get("all") and not attrs.get("refresh"):
            raise serializers.ValidationError("Send a refresh token, or all=true.")
        return attrs


