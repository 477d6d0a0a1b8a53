from tests.funding.fixtures import without_attendance_check  # noqa: F401
