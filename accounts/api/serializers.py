from rest_framework import serializers

from accounts.models import User


class MeSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    school = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    interests = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "district", "school",
                  "grade_level", "interests"]
        read_only_fields = fields
