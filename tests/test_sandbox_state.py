"""The emulator's own state: what a bot sees of it across restarts."""

from bot.sandbox.state import SandboxState


async def test_update_ids_go_on_from_one_emulator_run_to_the_next_as_telegrams_do():
    first_run = SandboxState()
    handled = [(await first_run.push_update({"message": {"text": "x"}}))["update_id"] for _ in range(50)]
    second_run = SandboxState()  # the emulator restarted: an installation already handled the first run's ids
    fresh = (await second_run.push_update({"message": {"text": "y"}}))["update_id"]
    assert handled == sorted(handled) and fresh > handled[-1]
