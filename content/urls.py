"""Student pages, mounted at /student/."""

from django.urls import path

from content.views import student as views

app_name = "student"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("join/", views.join_class, name="join-class"),
    path("ask/", views.ask, name="ask"),
    path("suggest/", views.suggest, name="suggest"),
    path("live/", views.live_status, name="live"),
    path("requests/<int:pk>/choose/", views.choose_topic, name="choose-topic"),
    path("requests/<int:pk>/retry/", views.retry, name="retry"),
    path("lessons/", views.lessons, name="lessons"),
    path("lessons/<int:pk>/", views.lesson, name="lesson"),
    path("lessons/<int:pk>/quiz/<int:question_pk>/", views.answer_question, name="answer"),
    path("lessons/<int:pk>/report/", views.report_problem, name="report"),
    path("lessons/<int:pk>/requiz/", views.requiz, name="requiz"),
    path("lessons/<int:pk>/<slug:action>/", views.after_lesson, name="after-lesson"),
    path("topics/", views.catalogue, name="catalogue"),
    path("topics/<slug:slug>/", views.catalogue_book, name="catalogue-book"),
    path("topics/<slug:slug>/<int:number>/", views.catalogue_chapter, name="catalogue-chapter"),
    path("topics/section/<int:topic_id>/request/", views.request_section, name="request-section"),
]
