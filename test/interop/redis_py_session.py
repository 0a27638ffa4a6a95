"""An application-style redis-py session; prints what it saw as JSON (compared across servers by redis-py.test.ts)."""
import json
import sys
import threading
import time

import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port)
seen = []


def note(v):
    if isinstance(v, bytes):
        v = v.decode("latin1")
    elif isinstance(v, (list, tuple)):
        v = [x.decode("latin1") if isinstance(x, bytes) else x for x in v]
    elif isinstance(v, dict):
        v = sorted((k.decode("latin1"), x.decode("latin1") if isinstance(x, bytes) else x) for k, x in v.items())
    elif isinstance(v, set):
        v = sorted(x.decode("latin1") for x in v)
    seen.append(v)


r.flushall()
note(r.ping())
note(r.set("s", "v", ex=100))
note(r.get("s"))
note(r.ttl("s"))
r.set(b"bin\x00key", bytes([0, 255, 13, 10, 128, 7]))
note(r.get(b"bin\x00key").hex())
note(r.incrbyfloat("f", 1.5))
note(r.hset("h", mapping={"a": "1", "b": "2"}))
note(r.hgetall("h"))
note(r.rpush("l", "x", "y", "z"))
note(r.lrange("l", 0, -1))
note(r.sadd("t", "m1", "m2"))
note(r.smembers("t"))
note(r.zadd("z", {"a": 1.5, "b": -2}))
note([[m.decode(), s] for m, s in r.zrange("z", 0, -1, withscores=True)])
note(r.zscore("z", "a"))
for transaction in (True, False):
    p = r.pipeline(transaction=transaction)
    p.set("m", "1").incr("m").get("m")
    note(p.execute())
r.mset({"p1": "a", "p2": "b"})
note(sorted(k.decode() for k in r.scan_iter(match="p*", count=10)))
script = r.register_script("return {KEYS[1], ARGV[1], redis.call('GET', KEYS[1])}")
note(script(keys=["p1"], args=["arg"]))
note(r.xadd("st", {"f": "v"}, id="1-1"))
note(r.xgroup_create("st", "g", id="0"))
note(repr(r.xreadgroup("g", "c1", {"st": ">"})))


def push_later():
    time.sleep(0.1)
    redis.Redis(host="127.0.0.1", port=port).rpush("q", "job")


threading.Thread(target=push_later).start()
note(r.blpop("q", timeout=5))
sub = r.pubsub()
sub.subscribe("news")
sub.psubscribe("n*")
messages = []
deadline = time.time() + 2
while len(messages) < 2 and time.time() < deadline:
    m = sub.get_message(timeout=0.1)
    if m is None:
        continue
    if m["type"] in ("message", "pmessage"):
        messages.append(f"{m['type']}:{m['channel'].decode()}:{m['data'].decode()}")
    elif m["type"] == "psubscribe":
        note(r.publish("news", "hello"))
note(sorted(messages))
sub.close()
for fail in (lambda: r.lpush("s", "x"), lambda: r.incr("h"), lambda: r.execute_command("NOSUCHCOMMAND")):
    try:
        fail()
        note("no error")
    except redis.ResponseError as e:
        note(f"{type(e).__name__}: {e}")
print(json.dumps(seen))
