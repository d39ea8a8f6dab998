import pytest

from bot.services.access import NotAllowed
from bot.services.permissions import PERMISSIONS, Action
from tests.services.test_permissions import _state, actor_of, attempt, demo  # noqa: F401


@pytest.mark.parametrize("role", list(PERMISSIONS))
async def test_mine(db, store, demo, tmp_path, role):  # noqa: F811
    who = await actor_of(db, role)
    for action in (Action.REVIEW, Action.ASSIGN_APPRAISERS, Action.COUNCIL):
        if action in PERMISSIONS[role]:
            await attempt(action, db, store, who, demo, tmp_path)
            continue
        before = await _state(db)
        with pytest.raises(NotAllowed):
            await attempt(action, db, store, who, demo, tmp_path)
        assert await _state(db) == before
