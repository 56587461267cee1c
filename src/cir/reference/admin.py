from django.contrib import admin

from cir.reference.models import HousingCompany, Municipality


@admin.register(HousingCompany)
class HousingCompanyAdmin(admin.ModelAdmin):
    list_display = ["company_id", "name", "kbo"]
    search_fields = ["company_id", "name", "kbo"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["nis_code", "name_nl", "is_flemish", "housing_company"]
    list_filter = ["is_flemish", "housing_company"]
    search_fields = ["nis_code", "name_nl"]
    readonly_fields = [
        "nis_code",
        "name_nl",
        "name_fr",
        "region_code",
        "is_flemish",
        "postal_codes",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
