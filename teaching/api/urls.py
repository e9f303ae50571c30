from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("classes", views.ClassroomViewSet, basename="api-class")

urlpatterns = router.urls
