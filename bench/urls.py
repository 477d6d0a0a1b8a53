"""The real URLconf plus one view that fetches no rows, used by the benchmark to measure
the fixed cost of an authenticated API request (middleware, session, DRF, throttles,
JSON rendering) - never installed as the site's URLconf."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as site_urlpatterns


class NoRows(APIView):
    """Authenticated like every API view; answers an empty page."""

    def get(self, request):
        return Response({"next": None, "previous": None, "results": []})


urlpatterns = [path("bench/no-rows/", NoRows.as_view(), name="bench-no-rows"), *site_urlpatterns]
