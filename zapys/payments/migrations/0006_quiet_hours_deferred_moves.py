# Labels only: the test provider is "Test payments"; the shop ID's verbose name.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0005_alter_payment_status'),
    ]

    operations = [
        migrations.AlterField(
            model_name='paymentaccount',
            name='account_key',
            field=models.CharField(blank=True, max_length=200, verbose_name='shop ID at the provider'),
        ),
        migrations.AlterField(
            model_name='paymentaccount',
            name='provider',
            field=models.CharField(choices=[('liqpay', 'LiqPay'), ('wayforpay', 'WayForPay'), ('sandbox', 'Test payments')], max_length=20, verbose_name='provider'),
        ),
    ]
