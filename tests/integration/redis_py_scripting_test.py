#!/usr/bin/python3
# tests/integration/redis_py_scripting_test.py — a real client's scripting against basalt:
# Debian's redis-py (python3-redis) `register_script` (EVALSHA, falling back to EVAL after
# NOSCRIPT) and `Lock` acquire / extend / release / a second holder refused (its Lua scripts).
# Starts its own basalt ($BASALT_BINARY) on a free loopback port; exit 77 = skipped (no redis-py).
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

try:
    import redis
except ImportError:
    print("python3-redis is not installed: skipped")
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary = os.environ["BASALT_BINARY"]
    workdir = tempfile.mkdtemp(prefix="basalt-redispy-")
    port = free_port()
    log = open(os.path.join(workdir, "basalt.log"), "w")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                             "--dir", os.path.join(workdir, "data")], stdout=log, stderr=log)
    try:
        r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
        deadline = time.monotonic() + 20
        while True:
            try:
                r.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)

        # register_script: the first call gets NOSCRIPT and falls back to EVAL (redis-py does
        # that itself), the next ones run by EVALSHA.
        incr_by = r.register_script(
            "local v = redis.call('incrby', KEYS[1], ARGV[1]) return {v, redis.call('get', KEYS[1])}")
        assert incr_by(keys=["counter"], args=[5]) == [5, b"5"]
        assert incr_by(keys=["counter"], args=[2]) == [7, b"7"]
        assert r.script_exists(incr_by.sha) == [True]
        r.script_flush()
        assert r.script_exists(incr_by.sha) == [False]
        assert incr_by(keys=["counter"], args=[1]) == [8, b"8"]

        # Lock: acquire, a second holder can't, extend, release; release by a non-owner fails.
        lock = r.lock("resource", timeout=10)
        assert lock.acquire(blocking=False)
        other = r.lock("resource", timeout=10)
        assert not other.acquire(blocking=False)
        assert lock.extend(20)
        ttl = r.pttl("resource")
        assert 10000 < ttl <= 30000, ttl
        assert lock.reacquire()
        lock.release()
        assert r.get("resource") is None
        assert other.acquire(blocking=False)
        try:
            lock.release()
            raise AssertionError("a released lock released again")
        except redis.exceptions.LockError:
            pass
        other.release()
        print("redis-py scripting: ok")
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
