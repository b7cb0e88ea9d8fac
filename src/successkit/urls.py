from django.contrib import admin
from django.urls import include, path

from successkit.api import api
from successkit.engagements.feeds import staff_calendar

admin.site.site_header = "successkit"
admin.site.site_title = "successkit"

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("calendar/<int:staff_id>/<str:token>.ics", staff_calendar, name="calendar-feed"),
    path("billing/", include("successkit.billing.urls")),
    path("health-checks/", include("successkit.healthchecks.urls")),
    path("schedule/", include("successkit.scheduling.urls")),
    path("support/", include("successkit.support.urls")),
    path("notifications/", include("successkit.notifications.urls")),
    path("", include("successkit.engagements.urls")),
    path("", include("successkit.portal.urls")),
]
