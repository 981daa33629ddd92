from django.urls import path

import core.identifiers  # noqa: F401  (registers the "identifier" converter)
import core.ids  # noqa: F401  (registers the "id" converter: a database id, else 404)

from messages_app.briefings import views

urlpatterns = [
    path("briefings/", views.briefing_list, name="briefings"),
    path("briefings/new/", views.briefing_new, name="briefing_new"),
    path("briefings/add/", views.briefing_add, name="briefing_add"),
    path("briefings/<id:briefing_id>/", views.briefing_detail, name="briefing"),
    path("briefings/<id:briefing_id>/items/<id:item_id>/", views.briefing_item, name="briefing_item"),
    path("briefings/<id:briefing_id>/items/<id:item_id>/talking-points/", views.briefing_talking_points, name="briefing_talking_points"),
    path("briefings/<id:briefing_id>/cards/<int:number>/", views.briefing_cards, name="briefing_cards"),
    path("briefings/<id:briefing_id>/duplicate/", views.briefing_duplicate, name="briefing_duplicate"),
    path("briefings/<id:briefing_id>/delete/", views.briefing_delete, name="briefing_delete"),
]
