from django.contrib import admin

from cir.interface.models import ClientBinding


@admin.register(ClientBinding)
class ClientBindingAdmin(admin.ModelAdmin):
    list_display = ["application", "company", "rent_premium", "created_at"]
    readonly_fields = ["application", "company", "rent_premium", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False
