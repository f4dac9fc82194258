"""Helpers shared by the Pilot tests of the chat app."""

import asyncio

SIZE = (120, 40)
SMALL = (80, 24)


def run(coro):
    return asyncio.run(coro)


def drive(app, steps, size=SIZE):
    """Run ``app`` headless, let start-up work finish, then ``await steps(pilot, app)``."""

    async def go():
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await steps(pilot, app)

    asyncio.run(go())


async def settle(pilot, app):
    for _ in range(50):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


async def ask(pilot, app, question):
    app.query_one("#question").value = question
    await pilot.press("enter")
    await settle(pilot, app)


async def type_text(pilot, text):
    """Press the keys of ``text`` one by one, as a person types."""
    keys = ["space" if ch == " " else ch for ch in text]
    await pilot.press(*keys)


def make_app(config, **kw):
    """The app on ``config`` with the fast hashing embedder and no corpus watching."""
    from hsqa.embedding import HashingEmbedder
    from hsqa.engine import Engine
    from hsqa.tui.app import HsqaApp

    return HsqaApp(config, Engine(config, HashingEmbedder(64)), watch=False, **kw)
