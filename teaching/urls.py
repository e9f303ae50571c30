"""/teacher/ pages (namespace "teacher")."""

from django.urls import path

from teaching.views import classes as views

app_name = "teacher"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("classes/", views.class_list, name="classes"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:pk>/", views.class_detail, name="class"),
    path("classes/<int:pk>/export.csv", views.class_export, name="class_export"),
    path("classes/<int:pk>/settings/", views.class_settings, name="class_settings"),
    path("classes/<int:pk>/invite/", views.invite, name="invite"),
    path("classes/<int:pk>/invite/confirm/", views.invite_confirm, name="invite_confirm"),
    path("classes/<int:pk>/invitations/<int:invitation_pk>/cancel/", views.cancel_invitation,
         name="cancel_invitation"),
    path("classes/<int:pk>/students/<int:student_pk>/", views.student_detail, name="student"),
    path("classes/<int:pk>/students/<int:student_pk>/remove/", views.remove_student, name="remove_student"),
    path("classes/<int:pk>/assign/", views.assignment_create, name="assign"),
    path("classes/<int:pk>/assignments/<int:assignment_pk>/delete/", views.assignment_delete,
         name="assignment_delete"),
    path("classes/<int:pk>/signals/dismiss/", views.dismiss_signal, name="dismiss_signal"),
    path("classes/<int:pk>/lessons/<int:lesson_pk>/", views.lesson_detail, name="lesson"),
    path("classes/<int:pk>/lessons/<int:lesson_pk>/action/", views.lesson_action, name="lesson_action"),
    path("classes/<int:pk>/blocks/<int:block_pk>/delete/", views.unblock, name="unblock"),
    path("classes/<int:pk>/pins/<int:pin_pk>/delete/", views.unpin, name="unpin"),
]
