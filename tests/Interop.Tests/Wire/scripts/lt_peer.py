#!/usr/bin/python3
"""A libtorrent peer for interop tests: seeds or downloads one torrent on 127.0.0.1 and prints its progress.

usage: lt_peer.py seed|leech --save DIR (--torrent FILE | --magnet URI) [--peer HOST:PORT ...] [--port P]
                 [--timeout S] [--stay S]
Prints "LISTEN <port>" once listening and "DONE" when the torrent is complete (leech mode then exits 0).
"""
import argparse
import sys
import time

import libtorrent as lt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["seed", "leech"])
    ap.add_argument("--save", required=True)
    ap.add_argument("--torrent")
    ap.add_argument("--magnet")
    ap.add_argument("--peer", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--port", type=int, default=0, help="listen port (0 = any)")
    ap.add_argument("--stay", type=float, default=0, help="seconds to keep seeding after DONE in leech mode")
    args = ap.parse_args()

    settings = {
        "listen_interfaces": "127.0.0.1:%d" % args.port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "aio_threads": 2,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    }
    s = lt.session(settings)
    atp = lt.parse_magnet_uri(args.magnet) if args.magnet else lt.add_torrent_params()
    if args.torrent:
        atp.ti = lt.torrent_info(args.torrent)
    atp.save_path = args.save
    if args.mode == "seed":
        atp.flags |= lt.torrent_flags.seed_mode
    h = s.add_torrent(atp)
    print("LISTEN %d" % s.listen_port(), flush=True)
    for p in args.peer:
        host, port = p.rsplit(":", 1)
        h.connect_peer((host, int(port)))

    deadline = time.time() + args.timeout
    done_at = None
    last = 0
    while time.time() < deadline:
        st = h.status()
        if st.is_seeding and done_at is None:
            done_at = time.time()
            print("DONE", flush=True)
            if args.mode == "leech" and args.stay == 0:
                return 0
        if done_at is not None and args.mode == "leech" and time.time() - done_at > args.stay:
            return 0
        if time.time() - last > 1:
            last = time.time()
            print("STATUS progress=%.3f peers=%d down=%d up=%d" % (st.progress, st.num_peers,
                  st.total_payload_download, st.total_payload_upload), flush=True)
        for a in s.pop_alerts():
            if a.category() & lt.alert.category_t.error_notification:
                print("ALERT %s" % a.message(), flush=True)
        time.sleep(0.1)
    print("TIMEOUT", flush=True)
    return 1 if args.mode == "leech" else 0


if __name__ == "__main__":
    sys.exit(main())
