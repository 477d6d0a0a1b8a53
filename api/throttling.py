"""The API's rate limits: DRF's anonymous and per-user rates, counted in fixed windows.

DRF's own throttles keep a list of every request's time in the last window for each client
and read and write that list whole on every request: at a rate of 2,000 a minute that is
up to 2,000 timestamps pickled and sent to Redis and back per request, and two processes
reading the list at once each write their version back, losing the other's request. Here a
client's requests are counted in windows of the rate's duration aligned to the clock
(``<client>:<window number>``), with one atomic counter (``config.counters.hit``: one
Redis round trip), and a client's address is the one ``incubator.auth.client_address``
finds, the login throttle's: DRF's reads X-Forwarded-For as the client sends it (a new
address, a new allowance, on every request) unless told how many proxies there are. As
with GitHub's API limits, a client may use its allowance at the end of one window and
again at the start of the next; ``Retry-After`` says when the window ends."""

from rest_framework import throttling

from config import counters
from incubator.auth import client_address


class _FixedWindow(throttling.SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        count = counters.hit(self.cache, f"{self.key}:{window}", self.duration)
        return count <= self.num_requests

    def get_ident(self, request) -> str:
        return client_address(request)

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.now)


class AnonRateThrottle(_FixedWindow, throttling.AnonRateThrottle):
    """Anonymous clients, by address (the token endpoint)."""


class UserRateThrottle(_FixedWindow, throttling.UserRateThrottle):
    """Authenticated users, by user; anonymous clients by address."""
