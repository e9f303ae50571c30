from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/token/", views.TokenObtainView.as_view(), name="api-token-obtain"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="api-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
]
