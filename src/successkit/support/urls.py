from django.urls import path

from successkit.support import views

app_name = "support"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("queues/", views.queues, name="queues"),
    path("contracts/<int:contract_id>/cases/new/", views.open_case, name="open_case"),
    path("contracts/<int:contract_id>/orders/new/", views.record_order, name="record_order"),
    path("contracts/<int:contract_id>/orders/import/", views.import_orders, name="import_orders"),
    path("orders/<int:order_id>/received/", views.record_receipt, name="record_receipt"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/status/", views.change_status, name="case_status"),
    path("cases/<int:case_id>/assign/", views.assign, name="assign"),
    path("cases/<int:case_id>/escalate/", views.escalate, name="escalate"),
]
