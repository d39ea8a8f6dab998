"""The emulator's aiohttp application: Bot API routes, the user's side, the web chat page."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox.client_api import ClientApi
from bot.sandbox.emulator import BotApi
from bot.sandbox.faults import Faults
from bot.sandbox.state import SandboxState

SANDBOX_TOKEN = "7000000001:SANDBOX-local-token-not-secret"
STATE = web.AppKey("state", SandboxState)
FAULTS = web.AppKey("faults", Faults)
CLIENT_API = web.AppKey("client_api", ClientApi)


def build_app(
    token: str, personas: list[dict[str, Any]], bot_username: str = "dti_sandbox_bot"
) -> tuple[web.Application, SandboxState, Faults]:
    state, faults = SandboxState(bot_username=bot_username), Faults()
    app = web.Application(client_max_size=64 * 1024 * 1024)
    bot_api = BotApi(state, token, faults)
    bot_api.routes(app)
    client_api = ClientApi(state, faults, personas)
    client_api.routes(app)
    app[CLIENT_API] = client_api
    app.on_cleanup.append(lambda _app: bot_api.close())
    app[STATE], app[FAULTS] = state, faults
    return app, state, faults
