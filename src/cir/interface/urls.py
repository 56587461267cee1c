from django.urls import path
from drf_spectacular.views import SpectacularSwaggerView
from oauth2_provider.views import TokenView

# The OpenAPI extension registers itself on import. Here rather than in the app's ready():
# every schema is generated from these routes, and a command that serves nothing (the
# migration, above all) starts without drf-spectacular's imports (0.2 s).
from cir.interface import schema, views  # noqa: F401

BASE = "v1/socZek/socialeHuisvesting/"

urlpatterns = [
    path("oauth/token/", TokenView.as_view(), name="token"),
    path(f"{BASE}dossiers/zoeken", views.SearchView.as_view(), name="zoeken"),
    path(
        f"{BASE}dossiers/dossier/<str:dossierNummer>",
        views.DossierView.as_view(),
        name="dossier",
    ),
    path(
        f"{BASE}dossiers/bevestigDossierVerwerking",
        views.AcknowledgeView.as_view(),
        name="bevestig",
    ),
    path(f"{BASE}dossiers/verwerkDossierActie", views.ActionView.as_view(), name="actie"),
    path(
        f"{BASE}dossiers/wijzigDossierRangschikkingen",
        views.RankingsView.as_view(),
        name="rangschikkingen",
    ),
    path(f"{BASE}gemeentes", views.MunicipalitiesView.as_view(), name="gemeentes"),
    path("v1/huurpremie/gebeurtenissen", views.PremiumFeedView.as_view(), name="huurpremie"),
    path("health", views.health, name="health"),
    path("api/openapi.yaml", views.openapi_file, name="openapi"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="openapi"),
        name="swagger-ui",
    ),
]
