from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    # The label its tables and migrations were created under (access_*), kept so that no
    # table is renamed.
    label = "access"
    verbose_name = "Accounts: login, tokens, second factors, break-glass grants and staff"
