"""Solara's ``solara run``, with the websocket's per-message compression switched off.

``python -m community_model.app.serve run server.py --host ... --port ...`` takes exactly the
arguments of ``solara run`` (``community-sim app`` starts it so). The one difference: uvicorn
offers browsers permessage-deflate (RFC 7692) on the websocket by default, and every step the
app sends its six figures as PNG, which is already deflate-compressed: compressing it again
shrinks nothing and cost about 20 ms a step (the served app at 100 homes, December 2026:
109 ms median from a click's message to the page's last update sent, 90 ms without). The
text and widget messages are small. Served with plain ``solara run server.py`` the app works
the same, only that much slower.
"""

from __future__ import annotations

import sys

import uvicorn


class _UncompressedWebsocketConfig(uvicorn.Config):
    """uvicorn's server configuration with ``ws_per_message_deflate`` off."""

    def __init__(self, *args, **kwargs):
        kwargs["ws_per_message_deflate"] = False
        super().__init__(*args, **kwargs)


def main(argv: list[str] | None = None) -> None:
    """Run Solara's command line (``argv`` without the program name; default ``sys.argv``)."""
    from solara.__main__ import cli

    uvicorn.Config = _UncompressedWebsocketConfig  # solara's `run` builds uvicorn.Config(...)
    cli(sys.argv[1:] if argv is None else argv, prog_name="solara")


if __name__ == "__main__":
    main()
