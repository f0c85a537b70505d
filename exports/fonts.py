"""The CJK font the PDF packs embed: Chinese must render, never as empty boxes."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

# What the README's install step provides first (Debian fonts-wqy-microhei), then others
# that a machine may already have.
KNOWN_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
)


class FontMissing(Exception):  # noqa: N818 — shown to the user as it is
    """No font with Chinese glyphs on this machine."""


@cache
def cjk_font() -> Path:
    """A TrueType font with Chinese glyphs: ZHIRONG_CJK_FONT, a known path, or fontconfig's
    first Chinese font."""
    configured = os.environ.get("ZHIRONG_CJK_FONT")
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(
                f"ZHIRONG_CJK_FONT 指向的字体不存在：{configured} / "
                f"ZHIRONG_CJK_FONT names no file: {configured}"
            )
        return Path(configured)
    for path in KNOWN_FONTS:
        if path.is_file():
            return path
    if shutil.which("fc-list"):
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
        ).stdout
        for line in sorted(listed.splitlines()):
            path = Path(line.strip().rstrip(":"))
            if path.suffix.lower() in (".ttf", ".ttc") and path.is_file():
                return path
    raise FontMissing(
        "找不到中文字体，PDF 无法生成：请安装 fonts-wqy-microhei（apt-get install -y "
        "fonts-wqy-microhei）或设置 ZHIRONG_CJK_FONT / no Chinese font found, so no PDF: "
        "install fonts-wqy-microhei (apt-get install -y fonts-wqy-microhei) or set "
        "ZHIRONG_CJK_FONT to a .ttf/.ttc file"
    )
