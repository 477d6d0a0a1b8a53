"""Django's Redis cache backend, with one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call
(its constructor parses options and sets up response callbacks: about a third of a
millisecond here); the connection pool underneath is already shared. A ``redis.Redis`` is
safe to share between threads (each command takes a connection from the pool), so one per
pool is kept. Sessions (``cached_db``), the API's rate limits, the login throttle and the
calendar feeds' bodies all go through this cache: an authenticated API request makes two
cache calls (its session, its rate-limit counter).

``count_hit`` is the counter of ``config.counters``: Django's ``add`` then ``incr`` is three
round trips (``incr`` asks whether the key exists first), and a key that expires between
the two is created again by ``INCR`` without an expiry; here ``INCR`` and ``EXPIRE ... NX``
go in one ``MULTI`` transaction (Redis 7 or later)."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def count_hit(self, key, timeout, version=None) -> int:
        """Adds one to the counter at ``key`` and returns it; the counter expires ``timeout``
        seconds after its first hit. One round trip, atomic."""
        key = self.make_and_validate_key(key, version=version)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=True)
        pipeline.incr(key)
        pipeline.expire(key, int(timeout), nx=True)
        count, _expiry_set = pipeline.execute()
        return count
