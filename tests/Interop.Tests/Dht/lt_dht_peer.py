#!/usr/bin/python3
"""A libtorrent DHT node on 127.0.0.1 driven by JSON lines on stdin; answers with JSON lines on stdout.

Commands: add_node {port}; put_mutable {seed, value, salt}; get_mutable {pk, salt}; put_immutable {value};
get_immutable {target}; announce {infohash} (as a torrent, on the listen port); get_peers {infohash}; quit.
Strings in and out are hex unless named value (UTF-8 text).
"""
import hashlib
import json
import shutil
import sys
import tempfile
import time

import libtorrent as lt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def expanded_key(seed):
    h = bytearray(hashlib.sha512(seed).digest())
    h[0] &= 248
    h[31] &= 63
    h[31] |= 64
    return bytes(h)


def public_key(seed):
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def wait_for(session, kind, predicate=lambda a: True, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        session.wait_for_alert(200)
        for alert in session.pop_alerts():
            if isinstance(alert, kind) and predicate(alert):
                return alert
    return None


def as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("latin-1")
    return bytes(value)


def text(item):
    if isinstance(item, dict):
        item = item.get("value", item.get(b"value"))
    if isinstance(item, bytes):
        return item.decode("utf-8", "replace")
    return str(item)


def main():
    port = int(sys.argv[1])
    settings = {
        "listen_interfaces": "127.0.0.1:%d" % port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_block_ratelimit": 100000,
        "alert_mask": lt.alert_category.all,
    }
    session = lt.session(settings)
    deadline = time.time() + 20
    while not session.is_dht_running() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    out({"event": "ready", "port": session.listen_port()})
    for line in sys.stdin:
        command = json.loads(line)
        name = command["cmd"]
        if name == "quit":
            break
        if name == "add_node":
            session.add_dht_node(("127.0.0.1", command["port"]))
            out({"event": "ok"})
        elif name == "put_mutable":
            seed = bytes.fromhex(command["seed"])
            salt = bytes.fromhex(command.get("salt", ""))
            session.dht_put_mutable_item(expanded_key(seed), public_key(seed), command["value"].encode(), salt)
            alert = wait_for(session, lt.dht_put_alert)
            out({"event": "put", "success": alert.num_success if alert else -1,
                 "seq": alert.seq if alert else -1})
        elif name == "get_mutable":
            pk = bytes.fromhex(command["pk"])
            salt = bytes.fromhex(command.get("salt", ""))
            session.dht_get_mutable_item(pk, salt)
            alert = wait_for(session, lt.dht_mutable_item_alert,
                             lambda a: as_bytes(a.key) == pk and as_bytes(a.salt) == salt and a.authoritative)
            if alert is None:
                out({"event": "mutable", "found": False})
            else:
                out({"event": "mutable", "found": True, "seq": alert.seq, "value": text(alert.item),
                     "pk": as_bytes(alert.key).hex(), "authoritative": alert.authoritative})
        elif name == "put_immutable":
            target = session.dht_put_immutable_item(command["value"].encode())
            alert = wait_for(session, lt.dht_put_alert)
            out({"event": "put", "target": str(target), "success": alert.num_success if alert else -1})
        elif name == "get_immutable":
            session.dht_get_immutable_item(lt.sha1_hash(bytes.fromhex(command["target"])))
            alert = wait_for(session, lt.dht_immutable_item_alert)
            out({"event": "immutable", "found": alert is not None and alert.item is not None,
                 "value": text(alert.item) if alert else None})
        elif name == "announce":
            # The bindings cannot call dht_announce (its flags type is not exported), so add a torrent by
            # infohash: libtorrent then announces its listen port to the DHT itself.
            params = lt.add_torrent_params()
            params.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(command["infohash"])))
            params.save_path = SAVE_PATH
            params.flags &= ~lt.torrent_flags.paused
            params.flags &= ~lt.torrent_flags.auto_managed
            handle = session.add_torrent(params)
            handle.force_dht_announce()
            alert = wait_for(session, lt.dht_reply_alert, timeout=20.0)
            out({"event": "ok", "port": session.listen_port(), "replied": alert is not None})
        elif name == "get_peers":
            session.dht_get_peers(lt.sha1_hash(bytes.fromhex(command["infohash"])))
            peers = []
            deadline = time.time() + 20
            while time.time() < deadline and not peers:
                alert = wait_for(session, lt.dht_get_peers_reply_alert, timeout=2.0)
                if alert is not None:
                    peers = ["%s:%d" % (ip, p) for (ip, p) in alert.peers()]
                    if not peers:
                        session.dht_get_peers(lt.sha1_hash(bytes.fromhex(command["infohash"])))
            out({"event": "peers", "peers": peers})
        else:
            out({"event": "error", "message": "unknown command " + name})


SAVE_PATH = tempfile.mkdtemp(prefix="lt-dht-")

if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report on stdout too: the harness may read it before stderr
        out({"event": "crash", "message": repr(error)})
        raise
    finally:
        shutil.rmtree(SAVE_PATH, ignore_errors=True)
