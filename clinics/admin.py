from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinics.models import Clinic, User


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "clinic", "role", "is_active"]
    list_filter = ["role", "is_active", "clinic"]
    list_select_related = ["clinic"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Clinic", {"fields": ("clinic", "role")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Clinic", {"fields": ("clinic", "role")}))
