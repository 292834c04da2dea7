#!/usr/bin/python3
"""integration.device_mqtt: edgertc-device-mqtt as master (test-pattern video) and a second
edgertc-device-mqtt as viewer (--receive-dir) through a real mosquitto broker started here on
127.0.0.1 (run inside tests/interop/run-in-netns.sh, so ICE gathers the namespace's
10.77.0.1/.2 as well). Passes when the viewer wrote H.264 that python3-av decodes into frames
and both devices exit 0.

usage: device_mqtt.py <edgertc-device-mqtt>
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

MOSQUITTO = "/usr/sbin/mosquitto"


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            fail(f"mosquitto exited early ({proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    fail("mosquitto is not listening after 5 s")


def tail(path, n=25):
    try:
        return "".join(open(path, errors="replace").readlines()[-n:])
    except OSError:
        return ""


def main():
    if len(sys.argv) != 2:
        fail(__doc__)
    device = sys.argv[1]
    if not os.access(MOSQUITTO, os.X_OK):
        fail(f"{MOSQUITTO} missing (Debian package mosquitto)")
    try:
        import av  # Debian python3-av
    except ImportError:
        fail("python3-av missing (Debian package python3-av)")
    tmp = tempfile.mkdtemp(prefix="ertc-device-mqtt-")
    procs = []
    try:
        port = free_port()
        conf = os.path.join(tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        broker = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        procs.append(broker)
        wait_listening(port, broker)
        common = ["--signaling", "mqtt", "--room", f"dev{os.getpid()}",
                  "--signaling-opt", "host=127.0.0.1", "--signaling-opt", f"port={port}"]
        rx = os.path.join(tmp, "rx")
        os.mkdir(rx)
        mlog = os.path.join(tmp, "master.log")
        vlog = os.path.join(tmp, "viewer.log")
        master = subprocess.Popen([device, *common, "--signaling-opt", "client-id=camera",
                                   "--video", "testsrc", "--audio", "testsrc", "--duration", "40"],
                                  stdout=open(mlog, "w"), stderr=subprocess.STDOUT)
        procs.append(master)
        viewer = subprocess.run([device, *common, "--role", "viewer",
                                 "--signaling-opt", "client-id=viewer",
                                 "--video", "none", "--audio", "none",
                                 "--receive-dir", rx, "--duration", "8"],
                                stdout=open(vlog, "w"), stderr=subprocess.STDOUT, timeout=60)
        master.send_signal(signal.SIGTERM)
        try:
            mrc = master.wait(timeout=15)
        except subprocess.TimeoutExpired:
            fail("master did not stop within 15 s of SIGTERM\n" + tail(mlog))
        if viewer.returncode != 0:
            fail(f"viewer exited {viewer.returncode}\n--- viewer\n{tail(vlog)}\n--- master\n"
                 f"{tail(mlog)}")
        if mrc != 0:
            fail(f"master exited {mrc}\n{tail(mlog)}")
        video = [f for f in os.listdir(rx) if f.endswith(".h264")]
        if not video:
            fail(f"the viewer wrote no video into {rx}: {os.listdir(rx)}\n{tail(vlog)}")
        path = os.path.join(rx, video[0])
        frames = 0
        size = None
        try:
            with av.open(path, format="h264") as c:
                for frame in c.decode(video=0):
                    frames += 1
                    size = size or f"{frame.width}x{frame.height}"
        except av.AVError as e:
            if frames == 0:
                fail(f"python3-av cannot decode {path}: {e}")
        if frames == 0:
            fail(f"no frame decodes from {path} ({os.path.getsize(path)} bytes)")
        print(f"OK: the viewer received {os.path.getsize(path)} bytes of H.264 over MQTT "
              f"signaling; {frames} frames of {size} decode", flush=True)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
