from django.urls import path

from successkit.healthchecks import views

app_name = "healthchecks"

urlpatterns = [
    path("compliance/", views.compliance_page, name="compliance"),
    path("contracts/<int:contract_id>/", views.contract_health_checks, name="contract"),
    path("<int:check_id>/schedule/", views.schedule_check, name="schedule"),
    path("<int:check_id>/unschedule/", views.unschedule_check, name="unschedule"),
    path("<int:check_id>/calendar.ics", views.check_ics, name="ics"),
    path("<int:check_id>/complete/", views.complete_check, name="complete"),
    path("<int:check_id>/report/", views.report_page, name="report"),
    path("<int:check_id>/report.pdf", views.report_pdf, name="report_pdf"),
]
