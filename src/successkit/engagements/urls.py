from django.urls import path

from successkit.engagements import views

app_name = "engagements"

urlpatterns = [
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract"),
    path("sessions/<int:session_id>/cancel/", views.cancel_session, name="cancel-session"),
    path("sessions/<int:session_id>/calendar.ics", views.session_ics, name="session-ics"),
]
