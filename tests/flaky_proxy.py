"""A small TCP proxy on 127.0.0.1 that loses connections at random (seeded).

Each connection the client opens is, by a seeded draw, passed through, cut before
anything reaches the server, or cut once the server answers (the request arrived and
was acted on, the answer is lost: a lost receipt). Bytes are counted both ways.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time

PASS, CUT_BEFORE, CUT_ANSWER = "pass", "cut_before", "cut_answer"


class FlakyProxy:
    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int,
        cut_before: float = 0.0,
        cut_answer: float = 0.0,
        rate: float = 0.0,
        cut_mid: float = 0.0,
    ) -> None:
        """``rate``: bytes per second each way (0: no limit); ``cut_mid``: the chance,
        per 64 KiB block, that the line drops in the middle of a transfer."""
        self.upstream_port = upstream_port
        self.rate, self.cut_mid = rate, cut_mid
        self.random = random.Random(seed)
        self.cut_before, self.cut_answer = cut_before, cut_answer
        self.bytes = 0
        self.counts = {PASS: 0, CUT_BEFORE: 0, CUT_ANSWER: 0}
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _draw(self) -> str:
        with self._lock:
            roll = self.random.random()
            mode = (
                CUT_BEFORE
                if roll < self.cut_before
                else (CUT_ANSWER if roll < self.cut_before + self.cut_answer else PASS)
            )
            self.counts[mode] += 1
            return mode

    def _chance(self, p: float) -> bool:
        with self._lock:
            return self.random.random() < p

    def _count(self, n: int) -> None:
        with self._lock:
            self.bytes += n

    def _serve(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            mode = self._draw()
            if mode == CUT_BEFORE:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, mode), daemon=True).start()

    def _pipe(self, client: socket.socket, mode: str) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()
            return
        done = threading.Event()

        def forward(src: socket.socket, dst: socket.socket, answer: bool) -> None:
            try:
                while not done.is_set():
                    data = src.recv(65536)
                    if not data:
                        break
                    if answer and mode == CUT_ANSWER:
                        break  # the server acted on the request; its answer is lost
                    if self.cut_mid and self._chance(self.cut_mid):
                        break  # the line drops mid-transfer
                    self._count(len(data))
                    if self.rate:
                        time.sleep(len(data) / self.rate)
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                done.set()
                for sock in (client, upstream):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

        sender = threading.Thread(target=forward, args=(client, upstream, False), daemon=True)
        sender.start()
        forward(upstream, client, True)
        sender.join(timeout=5)
        client.close()
        upstream.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)
