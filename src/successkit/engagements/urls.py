from django.urls import path

from successkit.engagements import views

app_name = "engagements"

urlpatterns = [
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract"),
    path("contracts/<int:contract_id>/term/", views.change_term, name="change-term"),
    path(
        "contracts/<int:contract_id>/representative/",
        views.reassign_representative,
        name="reassign-representative",
    ),
    path("contracts/<int:contract_id>/counterpart/", views.set_counterpart, name="set-counterpart"),
    path("sessions/<int:session_id>/cancel/", views.cancel_session, name="cancel-session"),
    path("sessions/<int:session_id>/complete/", views.complete_session, name="complete-session"),
    path("sessions/<int:session_id>/no-show/", views.record_no_show, name="no-show"),
    path("sessions/<int:session_id>/move/", views.move_session, name="move-session"),
    path("sessions/<int:session_id>/materials/", views.add_material, name="add-material"),
    path("sessions/<int:session_id>/calendar.ics", views.session_ics, name="session-ics"),
]
