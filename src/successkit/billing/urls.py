from django.urls import path

from successkit.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.unbilled, name="unbilled"),
    path("issue/", views.issue, name="issue"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:statement_id>/", views.statement, name="statement"),
    path("statements/<int:statement_id>/csv", views.statement_csv, name="statement-csv"),
    path("statements/<int:statement_id>/pdf", views.statement_pdf, name="statement-pdf"),
    path("statements/<int:statement_id>/adjustments/", views.adjust, name="adjust"),
]
