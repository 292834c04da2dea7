#!/usr/bin/python3
"""tests/interop/bridge_pty_relay.py — a null-modem cable for the split-mode interop test.

Creates two pseudo-terminal pairs, prints the two slave device paths on one line
("PTYS <a> <b>"), then copies bytes between the two master sides until killed, so that
edgertc-device --bridge serial:<a> and --bridge serial:<b> talk as over a serial line.
The slaves are put in raw mode here as well, so nothing is translated before the devices
open them. SIGUSR1 unplugs the cable (bytes are dropped) and SIGUSR2 plugs it back.
Standard library only.
"""
import os
import select
import signal
import sys
import termios
import tty


PLUGGED = [True]


def main():
    signal.signal(signal.SIGUSR1, lambda *_: PLUGGED.__setitem__(0, False))
    signal.signal(signal.SIGUSR2, lambda *_: PLUGGED.__setitem__(0, True))
    masters = []
    names = []
    slaves = []
    for _ in range(2):
        m, s = os.openpty()
        tty.setraw(s, termios.TCSANOW)
        masters.append(m)
        slaves.append(s)  # kept open so the slave side never reports a hang-up
        names.append(os.ttyname(s))
    print("PTYS", names[0], names[1], flush=True)
    peer = {masters[0]: masters[1], masters[1]: masters[0]}
    while True:
        try:
            ready, _, _ = select.select(masters, [], [])
        except InterruptedError:
            continue
        for m in ready:
            try:
                data = os.read(m, 65536)
            except OSError:
                data = b""
            if data and PLUGGED[0]:
                os.write(peer[m], data)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
