from django.apps import AppConfig


class NationalSocietiesConfig(AppConfig):
    name = "national_societies"
    verbose_name = "National Societies and accounts"
