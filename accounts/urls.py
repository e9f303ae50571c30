from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("sessions/", views.sessions_page, name="account-sessions"),
    path("preferences/", views.preferences, name="account-preferences"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="email-unsubscribe"),
    path("invitations/new/", views.invite, name="invitation-new"),
    path("invitations/<int:pk>/answer/", views.answer_class_invitation, name="class-invitation-answer"),
    path("invitations/<str:token>/", views.accept_invitation, name="invitation-accept"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/",
         auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
         name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/",
         auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
         name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/complete/",
         auth_views.PasswordResetCompleteView.as_view(
             template_name="registration/password_reset_complete.html"),
         name="password_reset_complete"),
]
