"""Local fakes of outside services, served on 127.0.0.1 for tests (see base.py)."""

from .base import CallbackReceiver, Fault, SimRequest, SimResponse, SimulatorServer, post_form
from .liqpay import LiqPaySimulator
from .wayforpay import WayForPaySimulator

__all__ = [
    "CallbackReceiver",
    "Fault",
    "LiqPaySimulator",
    "SimRequest",
    "SimResponse",
    "SimulatorServer",
    "WayForPaySimulator",
    "post_form",
]
