#!/usr/bin/env python3
"""The Python OpenEVSE_Emulator's RAPI side, wired as its src/main.py wires it
(state machine, EV simulator, RAPI handler, virtual serial port in pty mode,
the simulation loop thread at its configured interval), without the Flask web
UI and without main.py's print of every exchange, so that what the bench
meters is its RAPI processing. None of its code is copied: it is imported
from a checkout whose path is the first argument.

    run-emulator.py EMULATOR_DIR PTY_LINK

Prints "ready" once the pty is linked at PTY_LINK; stops on SIGTERM.
"""
import json
import signal
import sys
import threading
import time
from pathlib import Path

root = Path(sys.argv[1])
link = sys.argv[2]
sys.path.insert(0, str(root / "src"))

from emulator.ev import EVSimulator  # noqa: E402
from emulator.evse import EVSEStateMachine  # noqa: E402
from emulator.rapi import RAPIHandler  # noqa: E402
from emulator.serial_port import VirtualSerialPort  # noqa: E402

config = json.loads((root / "config.json").read_text())
evse = EVSEStateMachine(
    firmware_version=config["evse"]["firmware_version"],
    protocol_version=config["evse"]["protocol_version"],
)
evse.current_capacity_amps = config["evse"]["default_current"]
evse.service_level = config["evse"]["service_level"]
ev = EVSimulator(
    battery_capacity_kwh=config["ev"]["battery_capacity_kwh"],
    max_charge_rate_kw=config["ev"]["max_charge_rate_kw"],
)
rapi = RAPIHandler(evse, ev)
port = VirtualSerialPort(mode="pty", pty_path=link)
evse.set_state_change_callback(lambda _state: rapi.send_state_transition())
if not port.start(rapi.process_command):
    sys.exit("could not open a pty")
rapi.set_async_callback(port.write)
running = True


def simulate():
    # main.py's _simulation_loop, step for step.
    interval = config["simulation"]["update_interval_ms"] / 1000.0
    last = time.time()
    while running:
        now = time.time()
        dt = now - last
        last = now
        evse.update_state(ev.get_pilot_resistance())
        status = evse.get_status()
        ev.update_charging(status["current_capacity"], status["voltage"] / 1000.0, dt)
        evse.update_charging(ev.get_status()["actual_charge_rate_kw"], dt)
        time.sleep(interval)


threading.Thread(target=simulate, daemon=True).start()


def stop(*_):
    global running
    running = False
    port.stop()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
print("ready", flush=True)
while True:
    time.sleep(3600)
