#!/usr/bin/env python3
# bench/blocking_commands.py — owns: measuring how long heavy commands on big collections keep
# the event loop from other clients. Fills a list, a hash, a set and a sorted set of N members
# (and N string keys), then runs each heavy command on one connection while a second one
# sends PING after PING; prints the command's time and the slowest PING seen meanwhile. A case
# ["MULTI", [commands]] queues the commands in a transaction and times its EXEC.
# Usage: bench/blocking_commands.py PORT [N=1000000] [only-these-commands-substring]
# (a node started with enable-debug-command not needed; it writes keys bl:* and db 0's keys).
import socket, subprocess, sys, threading, time


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):  # skips the reply, returns a short description
        line = self._line()
        t = line[:1]
        if t in (b"+", b"-", b":"):
            return line.decode(errors="replace")
        if t == b"$":
            n = int(line[1:])
            if n >= 0:
                self._exact(n)
            return "bulk"
        if t == b"*":
            n = int(line[1:])
            for _ in range(max(n, 0)):
                self.reply()
            return "array of %d" % n
        raise ValueError(line)

    def call(self, *args):
        self.s.sendall(encode(args))
        return self.reply()

    def pipeline(self, commands):
        self.s.sendall(b"".join(encode(c) for c in commands))
        for _ in commands:
            self.reply()


def fill(c, n):
    batch = 1000
    for start in range(0, n, batch):
        r = range(start, min(n, start + batch))
        c.pipeline([
            ["RPUSH", "bl:list"] + ["e%d" % i for i in r],
            ["HSET", "bl:hash"] + [x for i in r for x in ("f%d" % i, "v")],
            ["SADD", "bl:set"] + ["m%d" % i for i in r],
            ["ZADD", "bl:zset"] + [x for i in r for x in (str(i), "m%d" % i)],
            ["MSET"] + [x for i in r for x in ("bl:k%d" % i, "v")],
        ])


def measure(port, args, setup=None):
    c = Conn(port)
    if setup:
        for s in setup:
            c.call(*s)
    p = Conn(port)
    stop = threading.Event()
    worst = [0.0]

    def pinger():
        while not stop.is_set():
            t = time.monotonic()
            p.call("PING")
            worst[0] = max(worst[0], time.monotonic() - t)
            time.sleep(0.005)

    th = threading.Thread(target=pinger)
    th.start()
    time.sleep(0.05)
    if args[0] == "MULTI":
        # A transaction (args[1]: its commands), queued first; EXEC is what is timed.
        c.call("MULTI")
        for queued in args[1]:
            c.call(*queued)
        t = time.monotonic()
        r = c.call("EXEC")
        took = time.monotonic() - t
    else:
        # redis-cli reads the (huge) reply: Python would time its own parsing instead.
        t = time.monotonic()
        out = subprocess.run(["redis-cli", "-p", str(port)] + [str(a) for a in args],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        took = time.monotonic() - t
        lines = out.stdout.count(b"\n")
        r = out.stdout.decode(errors="replace").strip() if lines <= 1 else "%d lines" % lines
    time.sleep(0.05)
    stop.set()
    th.join()
    return took, worst[0], r


def main():
    port = int(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    c = Conn(port)
    t = time.monotonic()
    if c.call("EXISTS", "bl:list") != ":1":
        fill(c, n)
        print("filled %d members x 4 collections + %d keys in %.1f s" % (n, n, time.monotonic() - t))
    copy = [["DEL", "bl:copy"], ["COPY", "bl:hash", "bl:copy"]]
    cases = [
        (["LRANGE", "bl:list", 0, -1], None),
        (["HGETALL", "bl:hash"], None),
        (["SMEMBERS", "bl:set"], None),
        (["ZRANGE", "bl:zset", 0, -1], None),
        (["ZRANGEBYSCORE", "bl:zset", "-inf", "+inf"], None),
        (["LPOS", "bl:list", "nothere"], None),
        (["LREM", "bl:list", 0, "nothere"], None),
        (["SRANDMEMBER", "bl:set", -1000000], None),
        (["HRANDFIELD", "bl:hash", -1000000], None),
        (["SINTERCARD", 2, "bl:set", "bl:set"], None),
        (["SUNIONSTORE", "bl:dst", "bl:set", "bl:set"], None),
        (["ZUNIONSTORE", "bl:dst", 1, "bl:zset"], None),
        (["MULTI", [["ZUNIONSTORE", "bl:dst", 1, "bl:zset"], ["SET", "bl:k0", "w"]]], None),
        (["SCAN", 0, "COUNT", 10000000], None),
        (["KEYS", "*"], None),
        (["KEYS", "bl:k1*9"], None),
        (["DBSIZE"], None),
        (["COPY", "bl:hash", "bl:copy"], [["DEL", "bl:copy"]]),
        (["RENAME", "bl:copy", "bl:copy2"], copy),
        (["DEL", "bl:copy2"], copy + [["RENAME", "bl:copy", "bl:copy2"]]),
        (["UNLINK", "bl:copy"], copy),
        (["EXPIRE", "bl:copy", 0], copy),
        (["SPOP", "bl:dst", 1000000], [["DEL", "bl:dst"], ["SUNIONSTORE", "bl:dst", "bl:set"]]),
        (["FLUSHALL"], None),
    ]
    print("| command | took (s) | slowest concurrent PING (s) | reply |")
    print("|---|---:|---:|---|")
    for args, setup in cases:
        if args[0] == "MULTI":
            name = "; ".join(["MULTI"] + [" ".join(str(a) for a in q) for q in args[1]] + ["EXEC"])
        else:
            name = " ".join(str(a) for a in args)
        if only and only not in name:
            continue
        took, worst, r = measure(port, args, setup)
        print("| `%s` | %.3f | %.3f | %s |" % (name, took, worst, r[:40]), flush=True)


if __name__ == "__main__":
    main()
