from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("benachrichtigungen/", views.notification_list, name="list"),
    path("benachrichtigungen/<int:notification_id>/gelesen/", views.mark_read, name="read"),
    path("benachrichtigungen/alle-gelesen/", views.mark_all_read, name="read_all"),
    path("benachrichtigungen/einstellungen/", views.preferences, name="preferences"),
    path("benachrichtigungen/abbestellen/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
