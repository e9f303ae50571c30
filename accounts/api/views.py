from rest_framework import generics

from .serializers import MeSerializer


class MeView(generics.RetrieveAPIView):
    """The signed-in user's own profile."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user
