"""Every public call of python-openevse-http against a running charger.

Home Assistant's OpenEVSE integration talks to a charger only through this
library, so each of its public calls is made here as the integration makes it,
and its effect is then read back with a plain HTTP request of our own (or, for
/ws, from what the library received): a call "passes" when the charger did
what the call asks, not when the call merely returned.

    python3 openevse_http_calls.py http://127.0.0.1:PORT

with the library importable (PYTHONPATH=<checkout of python-openevse-http>).
Prints one line per call, PASS/FAIL/N/A, and exits 1 when any call failed.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import time
import traceback
import warnings
from typing import Any, Awaitable, Callable

import aiohttp

from openevsehttp.client import OpenEVSE
from openevsehttp.properties import PropertiesMixin

BASE = sys.argv[1].rstrip("/")
HOST = BASE.split("://", 1)[1]
results: list[tuple[str, str, str]] = []


class Failed(Exception):
    """A call's effect was not what it asked for."""


def expect(cond: bool, what: str) -> None:
    if not cond:
        raise Failed(what)


async def record(name: str, body: Callable[[], Awaitable[str]], passes_as: str = "PASS") -> None:
    """`passes_as` "N/A": a call checked to be refused cleanly, which does not work here."""
    try:
        detail = await body()
        results.append((passes_as, name, detail))
    except Failed as err:
        results.append(("FAIL", name, str(err)))
    except Exception as err:  # the library raised: a failure of the call
        tb = traceback.format_exception_only(type(err), err)[-1].strip()
        results.append(("FAIL", name, f"raised {tb}"))
    print(f"{results[-1][0]:4}  {name}  {results[-1][2]}", flush=True)


async def main() -> int:
    async with aiohttp.ClientSession() as http:

        async def get(path: str) -> Any:
            async with http.get(BASE + path) as r:
                return await r.json(content_type=None)

        async def post(path: str, body: Any = None) -> Any:
            async with http.post(BASE + path, json=body) as r:
                return await r.json(content_type=None)

        async def text(path: str) -> str:
            async with http.get(BASE + path) as r:
                return await r.text()

        async def until(probe: Callable[[], Awaitable[Any]], what: str, seconds: float = 10) -> Any:
            end = time.monotonic() + seconds
            last: Any = None
            while True:
                last = await probe()
                if last:
                    return last
                if time.monotonic() > end:
                    raise Failed(f"{what} (not within {seconds} s)")
                await asyncio.sleep(0.1)

        async def status_is(field: str, value: Any) -> Any:
            return await until(lambda: _field_is(get, "/status", field, value), f"/status {field} == {value!r}")

        async def config_is(field: str, value: Any) -> Any:
            return await until(lambda: _field_is(get, "/config", field, value), f"/config {field} == {value!r}")

        charger = OpenEVSE(HOST, session=http)
        await post("/sim/unplug")
        await status_is("state", 1)

        # --- connection and reading -------------------------------------
        async def test_and_get() -> str:
            got = await charger.test_and_get()
            cfg = await get("/config")
            expect(got == {"serial": cfg["wifi_serial"], "model": cfg["buildenv"]}, f"answered {got}")
            return f"serial {got['serial']}, model {got['model']}"

        await record("test_and_get()", test_and_get)

        async def update() -> str:
            await charger.update()
            status, cfg = await get("/status"), await get("/config")
            expect(charger._status.get("state") == status["state"], "status not read")
            expect(charger._config.get("version") == cfg["version"], "config not read")
            return f"state {charger.state}, version {charger.wifi_firmware}"

        await record("update()", update)

        async def version_check() -> str:
            expect(charger.version_check("4.1.2") and charger.version_check("5.0.0"), "reported version below 5.0.0")
            expect(not charger.version_check("99.0.0"), "a future version passed")
            return f"{charger._config['version']} ≥ 5.0.0 (limits, claims, /restart evse are used)"

        await record("version_check()", version_check)

        async def properties() -> str:
            names = [n for n, v in inspect.getmembers(PropertiesMixin) if isinstance(v, property)]
            broken = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                for n in names:
                    try:
                        getattr(charger, n)
                    except Exception as err:  # noqa: BLE001
                        broken.append(f"{n}: {type(err).__name__}")
            expect(not broken, "raised: " + ", ".join(broken))
            s, c = await get("/status"), await get("/config")
            expect(charger.state == "not connected", f"state {charger.state!r}")
            expect(charger.max_current_soft == c["max_current_soft"], "max_current_soft")
            expect(charger.service_level == str(c["service"]), f"service_level {charger.service_level!r}")
            expect(charger.wifi_serial == c["wifi_serial"], "wifi_serial")
            expect(charger.ambient_temperature == s["temp"] / 10, f"ambient_temperature {charger.ambient_temperature}")
            expect(charger.min_amps == c["min_current_hard"] and charger.max_amps == c["max_current_hard"], "min/max amps")
            expect(charger.openevse_firmware == c["firmware"], "openevse_firmware")
            return f"{len(names)} properties read, none raised; 7 compared with /status and /config"

        await record("properties (all)", properties)

        async def send_command() -> str:
            cmd, ret = await charger.send_command("$GC")
            expect(cmd == "$GC" and ret.startswith("$OK 6 80"), f"answered {cmd!r} {ret!r}")
            cmd, ret = await charger.send_command("$GE")
            cfg = await get("/config")
            expect(ret.startswith(f"$OK {cfg['max_current_soft']} "), f"$GE answered {ret!r}")
            return f"$GC → {ret!r}"

        await record("send_command()", send_command)

        # --- /ws ----------------------------------------------------------
        seen: list[Any] = []
        charger.callback = lambda: seen.append(dict(charger._status))

        async def ws_start() -> str:
            await charger.ws_start()
            await until(lambda: _const(charger.ws_state == "connected"), "ws_state connected")
            await until(lambda: _const(len(seen) > 0), "the full status on connect")
            n = len(seen)
            await post("/sim/plug")
            # Only the websocket updates _status now (no update() call here).
            await until(lambda: _const(charger._status.get("state") in (2, 3) and len(seen) > n), "state 2/3 pushed over /ws", 5)
            await post("/sim/unplug")
            await until(lambda: _const(charger._status.get("state") == 1), "state 1 pushed over /ws", 5)
            return f"connected; plug and unplug arrived over /ws ({len(seen)} messages)"

        await record("ws_start()", ws_start)

        async def ws_disconnect() -> str:
            await charger.ws_disconnect()
            expect(charger.ws_state == "stopped", f"ws_state {charger.ws_state}")
            n = len(seen)
            await post("/sim/plug")
            await status_is("state", 3)
            await asyncio.sleep(0.5)
            expect(len(seen) == n, "messages still arrive after ws_disconnect")
            await post("/sim/unplug")
            await status_is("state", 1)
            return "stopped; no message after it"

        await record("ws_disconnect()", ws_disconnect)
        charger.callback = None

        # --- override, current ---------------------------------------------
        async def get_override() -> str:
            got = await charger.get_override()
            expect(got == await get("/override"), f"answered {got}")
            return f"{got}"

        await record("get_override()", get_override)

        async def set_override() -> str:
            r = await charger.set_override(state="disabled")
            expect(isinstance(r, dict) and r.get("msg") in ("OK", "Created", "Updated"), f"answered {r}")
            await status_is("state", 254)
            expect((await get("/override")).get("state") == "disabled", "GET /override state")
            return "state disabled → /status state 254"

        await record("set_override()", set_override)

        async def clear_override() -> str:
            await charger.clear_override()
            expect(await get("/override") == {}, "/override not empty")
            await status_is("state", 1)
            expect((await get("/status"))["manual_override"] == 0, "manual_override")
            return "GET /override → {}, state back to 1"

        await record("clear_override()", clear_override)

        async def toggle_override() -> str:
            # As OpenEVSE's ManualOverride::toggle: no override → claim the opposite of
            # the current state; an override → release it.
            await charger.toggle_override()
            await status_is("state", 254)
            expect((await get("/override")).get("state") == "disabled", "GET /override after the first toggle")
            await charger.toggle_override()
            await status_is("state", 1)
            expect(await get("/override") == {}, "GET /override after the second toggle")
            return "none → disabled (state 254) → released (state 1)"

        await record("toggle_override()", toggle_override)

        async def set_current() -> str:
            await charger.update()
            await charger.set_current(10)
            expect((await get("/override")).get("charge_current") == 10, "override charge_current")
            await status_is("pilot", 10)
            await charger.clear_override()
            await status_is("pilot", (await get("/config"))["max_current_soft"])
            return "10 A → /status pilot 10, released after"

        await record("set_current()", set_current)

        # --- limits and claims ----------------------------------------------
        async def set_limit() -> str:
            r = await charger.set_limit("energy", 5000, True)
            expect(isinstance(r, dict) and r.get("msg") in ("OK", "Created", "Updated", "done"), f"answered {r}")
            lim = await get("/limit")
            expect(lim.get("type") == "energy" and lim.get("value") == 5000, f"GET /limit {lim}")
            await status_is("limit", True)
            return f"GET /limit {lim}"

        await record("set_limit()", set_limit)

        async def get_limit() -> str:
            got = await charger.get_limit()
            expect(got == await get("/limit") and got.get("value") == 5000, f"answered {got}")
            await charger.update()
            expect(charger.has_limit is True, "has_limit")
            return f"{got}, has_limit True"

        await record("get_limit()", get_limit)

        async def clear_limit() -> str:
            await charger.clear_limit()
            await status_is("limit", False)
            lim = await get("/limit")
            expect("type" not in lim, f"GET /limit still {lim}")
            return "GET /limit empty, /status limit false"

        await record("clear_limit()", clear_limit)

        async def make_claim() -> str:
            r = await charger.make_claim(state="disabled", client=20)
            expect(isinstance(r, dict) and r.get("msg") in ("OK", "Created", "Updated", "done"), f"answered {r}")
            await status_is("state", 254)
            return "client 20 claims disabled → /status state 254"

        await record("make_claim()", make_claim)

        async def list_claims() -> str:
            all_ = await charger.list_claims()
            expect(isinstance(all_, list) and any(c.get("client") == 20 for c in all_), f"answered {all_}")
            target = await charger.list_claims(target=True)
            props = target.get("properties", {}) if isinstance(target, dict) else {}
            expect(props.get("state") == "disabled", f"target {target}")
            return f"{len(all_)} claim(s); target state {props.get('state')}"

        await record("list_claims()", list_claims)

        async def release_claim() -> str:
            await charger.release_claim(client=20)
            await status_is("state", 1)
            expect(not any(c.get("client") == 20 for c in await get("/claims")), "claim 20 still listed")
            return "claim gone, state back to 1"

        await record("release_claim()", release_claim)

        # --- settings --------------------------------------------------------
        async def set_charge_mode() -> str:
            await charger.set_charge_mode("eco")
            await config_is("charge_mode", "eco")
            await charger.set_charge_mode("fast")
            await config_is("charge_mode", "fast")
            return "eco, then fast, read back from /config"

        await record("set_charge_mode()", set_charge_mode)

        async def divert_mode() -> str:
            await charger.update()
            before = (await get("/config"))["divert_enabled"]
            await charger.divert_mode()
            await config_is("divert_enabled", not before)
            await charger.update()
            await charger.divert_mode()
            await config_is("divert_enabled", before)
            return f"divert_enabled {before} → {not before} → {before}"

        await record("divert_mode()", divert_mode)

        async def set_service_level() -> str:
            await charger.set_service_level(1)
            await config_is("service", 1)
            await status_is("service_level", 1)
            await charger.set_service_level(2)
            await config_is("service", 2)
            return "1 then 2, in /config service and /status service_level"

        await record("set_service_level()", set_service_level)

        async def set_led_brightness() -> str:
            await charger.set_led_brightness(77)
            await config_is("led_brightness", 77)
            return "/config led_brightness 77"

        await record("set_led_brightness()", set_led_brightness)

        async def set_mqtt_vehicle_range_miles() -> str:
            await charger.set_mqtt_vehicle_range_miles(True)
            await config_is("mqtt_vehicle_range_miles", True)
            await charger.update()
            expect(charger.mqtt_vehicle_range_miles is True, "property")
            await charger.set_mqtt_vehicle_range_miles(False)
            await config_is("mqtt_vehicle_range_miles", False)
            return "true then false in /config"

        await record("set_mqtt_vehicle_range_miles()", set_mqtt_vehicle_range_miles)

        async def set_divert_mode() -> str:
            await charger.set_divert_mode("eco")
            await status_is("divertmode", 2)
            await charger.set_divert_mode("fast")
            await status_is("divertmode", 1)
            return "/status divertmode 2 then 1"

        await record("set_divert_mode()", set_divert_mode)

        async def set_shaper() -> str:
            await charger.set_shaper(True)
            await status_is("shaper", 1)
            await charger.set_shaper(False)
            await status_is("shaper", 0)
            return "/status shaper 1 then 0"

        await record("set_shaper()", set_shaper)

        async def toggle_shaper() -> str:
            await charger.update()
            await charger.toggle_shaper()
            await status_is("shaper", 1)
            await charger.update()
            await charger.toggle_shaper()
            await status_is("shaper", 0)
            return "0 → 1 → 0"

        await record("toggle_shaper()", toggle_shaper)

        async def get_schedule() -> str:
            got = await charger.get_schedule()
            expect(got == await get("/schedule"), f"answered {got}")
            return f"{got}"

        await record("get_schedule()", get_schedule)

        # --- pushed sensor data (POST /status) -----------------------------
        async def grid_voltage() -> str:
            await charger.grid_voltage(231)
            await status_is("voltage", 231)
            return "/status voltage 231"

        await record("grid_voltage()", grid_voltage)

        async def self_production() -> str:
            await charger.self_production(grid=-1500, voltage=229)  # the library inverts: +1500
            await status_is("grid_ie", 1500)
            await status_is("voltage", 229)
            await charger.self_production(solar=2100)
            await status_is("solar", 2100)
            return "grid_ie 1500 (inverted), voltage 229, solar 2100"

        await record("self_production()", self_production)

        async def soc() -> str:
            # As in OpenEVSE, vehicle data is taken only with vehicle_data_src 3 (HTTP).
            await post("/config", {"vehicle_data_src": 0})
            await charger.soc(battery_level=44)
            expect("battery_level" not in await get("/status"), "taken with vehicle_data_src 0")
            await post("/config", {"vehicle_data_src": 3})
            await charger.soc(battery_level=55, battery_range=210, time_to_full=3600)
            await status_is("battery_level", 55)
            await status_is("battery_range", 210)
            await status_is("time_to_full_charge", 3600)
            await charger.update()
            expect(charger.vehicle_soc == 55, f"vehicle_soc {charger.vehicle_soc}")
            return "ignored with vehicle_data_src 0; with 3: battery_level 55, battery_range 210, time_to_full_charge 3600"

        await record("soc()", soc)

        async def home_battery() -> str:
            await charger.home_battery(soc=70, power=-500)
            await status_is("home_battery_soc", 70)
            await status_is("home_battery_power", -500)
            return "home_battery_soc 70, home_battery_power -500"

        await record("home_battery()", home_battery)

        async def set_shaper_live_pwr() -> str:
            await charger.set_shaper_live_pwr(3000)
            await status_is("shaper_live_pwr", 3000)
            return "/status shaper_live_pwr 3000"

        await record("set_shaper_live_pwr()", set_shaper_live_pwr)

        # --- restarts (last: they reboot what answers the rest) ------------
        async def restart_evse() -> str:
            # /evse is a bounded window (the last lines of traffic): the boot notice must follow the
            # restart command in it; counting `$AB` lines would miss one while an older one scrolls out.
            await charger.restart_evse()
            await until(lambda: _const_async(text("/evse"), _booted_after_restart), "a controller boot ($AB) after `$FR` in /evse")
            await until(lambda: _field_is(get, "/status", "rapi_connected", 1), "the controller back")
            return "the controller rebooted ($AB seen), RAPI back"

        await record("restart_evse()", restart_evse)

        async def restart_wifi() -> str:
            before = (await get("/status"))["boot_count"]
            await charger.restart_wifi()

            async def booted() -> bool:
                try:
                    s = await get("/status")
                except (aiohttp.ClientError, ValueError):
                    return False
                return s.get("boot_count") == before + 1 and s.get("reset_reason_str") == "software"

            await until(booted, "boot_count + 1, reset_reason software", 20)
            return f"gateway rebooted (boot_count {before} → {before + 1})"

        await record("restart_wifi()", restart_wifi)

        # --- firmware ------------------------------------------------------
        async def update_firmware() -> str:
            await charger.update()
            r = await charger.update_firmware(firmware_bytes=b"\x00" * 64)
            expect(not charger.ota_update, "the library believes an update started")
            expect(isinstance(r, dict) and "msg" in r and r["msg"] not in ("started", "OK", "done"), f"answered {r}")
            return f"no OTA on this host: refused with {r}, the library does not flag an update"

        await record("update_firmware()", update_firmware, passes_as="N/A")
        results.append(("N/A", "firmware_check()", "asks api.github.com, not the charger"))
        print("N/A   firmware_check()  asks api.github.com, not the charger", flush=True)

    failed = [r for r in results if r[0] == "FAIL"]
    passed = [r for r in results if r[0] == "PASS"]
    print(f"python-openevse-http: {len(passed)} passed, {len(failed)} failed, {len(results) - len(passed) - len(failed)} not applicable")
    return 1 if failed else 0


async def _field_is(get: Callable[[str], Awaitable[Any]], path: str, field: str, value: Any) -> Any:
    try:
        doc = await get(path)
    except (aiohttp.ClientError, ValueError):
        return False
    return doc if isinstance(doc, dict) and doc.get(field) == value and type(doc.get(field)) is type(value) else False


async def _const(v: Any) -> Any:
    return v


def _booted_after_restart(evse: str) -> bool:
    restart = evse.rfind(">$FR")
    return restart >= 0 and "<$AB" in evse[restart:]


async def _const_async(aw: Awaitable[Any], test: Callable[[Any], bool]) -> bool:
    return test(await aw)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
