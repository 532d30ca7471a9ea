"""A Luau script as a Roblox XML model file (``.rbxmx``): what the Assets API accepts as a
``Model`` asset (content type ``model/x-rbxmx``). Inserting the model in Studio gives a ``Script``
instance holding the source."""

from __future__ import annotations

from xml.sax.saxutils import escape

CONTENT_TYPE = "model/x-rbxmx"


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def script_model(*, name: str, source: str) -> bytes:
    """An ``.rbxmx`` document with one ``Script`` called ``name`` running ``source``."""
    return (
        '<roblox xmlns:xmime="http://www.w3.org/2005/05/xmlmime" version="4">\n'
        '  <Item class="Script" referent="RBX0">\n'
        "    <Properties>\n"
        f'      <string name="Name">{escape(name)}</string>\n'
        f'      <ProtectedString name="Source">{_cdata(source)}</ProtectedString>\n'
        "    </Properties>\n"
        "  </Item>\n"
        "</roblox>\n"
    ).encode()
