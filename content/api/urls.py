from django.urls import path

from . import views

urlpatterns = [
    path("lessons/requests/", views.LessonRequestListCreateView.as_view(), name="lesson-request-list"),
    path("lessons/requests/<int:pk>/", views.LessonRequestDetailView.as_view(), name="lesson-request-detail"),
    path("lessons/requests/<int:pk>/choose/", views.ChooseTopicView.as_view(), name="lesson-request-choose"),
    path("lessons/notifications/", views.NotificationListView.as_view(), name="lesson-notifications"),
    path("lessons/<int:pk>/", views.LessonDetailView.as_view(), name="lesson-detail"),
]
