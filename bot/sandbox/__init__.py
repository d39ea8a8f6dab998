"""The sandbox: a Bot API emulator over real HTTP, with a web chat page, used offline and in tests.

Only the base URL differs from production: the bot talks to it exactly as it talks to Telegram.
"""
