#!/usr/bin/env python3
"""B9 baseline: live previews drawn the way Pyro's CLI draws pictures, with term-image's BlockImage (upper-half
blocks, 24-bit colour), each JPEG decoded by Pillow and drawn from the top-left corner over the previous one.
Prints READY, waits for g, draws every DIR/*.jpg in turn, prints DONE, waits for q (as comfybench preview-draw)."""
import os
import sys
import termios
import tty
import warnings

warnings.filterwarnings("ignore")
from PIL import Image  # noqa: E402
from term_image.image import BlockImage  # noqa: E402

directory = sys.argv[1]
paths = sorted(os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(".jpg"))
fd = sys.stdin.fileno()
saved = termios.tcgetattr(fd)
tty.setraw(fd)
out = sys.stdout
try:
    out.write("\x1b[2J\x1b[HREADY")
    out.flush()
    while os.read(fd, 1) != b"g":
        pass
    columns, rows = os.get_terminal_size(fd)
    for path in paths:
        image = BlockImage(Image.open(path))
        image.set_size(height=rows, frame_size=(columns, rows))
        out.write("\x1b[H" + str(image))
        out.flush()
    out.write(f"\x1b[{rows};{columns - 3}HDONE")
    out.flush()
    while os.read(fd, 1) != b"q":
        pass
finally:
    termios.tcsetattr(fd, termios.TCSADRAIN, saved)
