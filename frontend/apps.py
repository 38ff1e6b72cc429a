from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = _("Oberfläche")

    def ready(self) -> None:
        from frontend import pagecache

        pagecache.install()  # every process that writes bumps the page cache's generation
