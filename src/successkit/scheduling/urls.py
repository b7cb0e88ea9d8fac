from django.urls import path

from successkit.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("availability/", views.my_availability, name="mine"),
    path("staff/<int:staff_id>/availability/", views.availability_page, name="availability"),
    path("staff/<int:staff_id>/calendar/rotate/", views.rotate_feed, name="rotate-feed"),
]
