from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prepayments", "0004_cancellation_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="refund_state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("pending", "Refund asked, awaiting the provider"),
                    ("failed", "Refund failed"),
                    ("done", "Refunded"),
                ],
                default="",
                max_length=10,
                verbose_name="refund to the card",
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="refund_error",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="why the refund failed"
            ),
        ),
    ]
