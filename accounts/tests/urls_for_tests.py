"""Tiny views guarded by each permission helper, for test_permissions.py."""

from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views import View
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.models import User


def _ok(request):
    return HttpResponse("ok")


class _MixinView(View):
    def get(self, request):
        return HttpResponse("ok")


class StudentPage(permissions.StudentRequiredMixin, _MixinView):
    pass


class TeacherPage(permissions.TeacherRequiredMixin, _MixinView):
    pass


class AdminPage(permissions.AdminRequiredMixin, _MixinView):
    pass


def _api(permission):
    class _View(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"ok": True})

    return _View.as_view()


def user_detail(request, pk):
    user = permissions.get_visible_or_404(User, request.user, pk=pk)
    return JsonResponse({"email": user.email})


urlpatterns = [
    path("f/student/", permissions.require_student(_ok)),
    path("f/teacher/", permissions.require_teacher(_ok)),
    path("f/admin/", permissions.require_admin(_ok)),
    path("c/student/", StudentPage.as_view()),
    path("c/teacher/", TeacherPage.as_view()),
    path("c/admin/", AdminPage.as_view()),
    path("api/student/", _api(permissions.IsStudent)),
    path("api/teacher/", _api(permissions.IsTeacher)),
    path("api/admin/", _api(permissions.IsTenantAdmin)),
    path("users/<int:pk>/", user_detail),
    path("accounts/", include("accounts.urls")),
]
