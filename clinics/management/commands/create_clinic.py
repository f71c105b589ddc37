"""Onboard a clinic: `manage.py create_clinic "NAME" --admin USERNAME [--password PASSWORD]`."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinics.services import clinic_create, login_name


class Command(BaseCommand):
    help = (
        "Create a clinic and its first clinic admin. The password comes from --password, "
        "else from CLINIC_ADMIN_PASSWORD, else from a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The clinic's name.")
        parser.add_argument("--admin", required=True, help="Username of the first clinic admin.")
        parser.add_argument(
            "--password", help="The admin's password (else CLINIC_ADMIN_PASSWORD or a prompt)."
        )
        parser.add_argument(
            "--time-zone", default="UTC", help="IANA time zone, e.g. America/Chicago."
        )
        parser.add_argument(
            "--slug",
            help="The clinic's short name, the end of its staff's login names (default: made "
            "of the name).",
        )

    def handle(
        self,
        *args,
        name: str,
        admin: str,
        password: str | None,
        time_zone: str,
        slug: str | None,
        **options,
    ) -> None:
        password = password or os.environ.get("CLINIC_ADMIN_PASSWORD") or self._prompt_password()
        try:
            clinic = clinic_create(
                name=name,
                admin_username=admin,
                admin_password=password,
                time_zone=time_zone,
                slug=slug,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
                )
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created clinic '{clinic.name}' ({clinic.id}) with admin "
                f"'{login_name(clinic, admin)}'."
            )
        )

    def _prompt_password(self) -> str:
        first = getpass.getpass("Password for the clinic admin: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords did not match.")
        return first
