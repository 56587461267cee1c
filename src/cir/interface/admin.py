from django.contrib import admin

from cir.interface.models import ClientBinding, IdempotentRequest


@admin.register(ClientBinding)
class ClientBindingAdmin(admin.ModelAdmin):
    list_display = ["application", "company", "rent_premium", "created_at"]
    readonly_fields = ["application", "company", "rent_premium", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "client_id", "correlation_id", "path", "status_code"]
    search_fields = ["correlation_id", "client_id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
