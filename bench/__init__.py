"""The performance benchmark (``manage.py benchmark``): each figure of the product next to a
floor measured in the same run on the same data. See ``docs/performance.md``.

- ``lists``: every list endpoint of the API (walked from the URL resolver) through the full
  Django stack, against re-running its own row queries as raw SQL plus JSON encoding;
  queries per request at 1 and at 50 rows;
- ``report``: the cohort report against a hand-written aggregate SQL query set;
- ``imports``: the attendance import through the shared import machinery against a raw
  ``bulk_create`` of the same rows, and the all-or-nothing rule checked;
- ``feeds``: a tutor's calendar feed of about 500 events, and the conditional request (304);
- ``pages``: the last page against the first page of the largest lists;
- ``exports``: the peak memory of a 100,000-row export, streamed, against a bare cursor
  writing the same rows;
- ``admin``: the back office's changelists on the large tables (time and queries).

Timings are medians of several runs; never asserted in tests (tests only check that
every figure is printed)."""
