"""Issue 12, a vote people can trust: the commitment made at opening (its document and its
fingerprint) and who took part (set at close, for secret motions too)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="motion",
            name="commitment",
            field=models.JSONField(
                blank=True, null=True, verbose_name="Festlegung bei der Eröffnung"
            ),
        ),
        migrations.AddField(
            model_name="motion",
            name="fingerprint",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="Fingerabdruck (SHA-256)"
            ),
        ),
        migrations.AddField(
            model_name="eligiblevoter",
            name="took_part",
            field=models.BooleanField(blank=True, null=True, verbose_name="hat teilgenommen"),
        ),
    ]
