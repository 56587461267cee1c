from django.contrib import admin

from cir.migration.models import LegacyLandlord
from cir.register.admin import ReadOnlyAdmin


@admin.register(LegacyLandlord)
class LegacyLandlordAdmin(ReadOnlyAdmin):
    list_display = ["landlord_id", "name", "kind", "company", "municipality"]
    list_filter = ["kind", "company"]
    search_fields = ["landlord_id", "name"]
