from rest_framework.pagination import CursorPagination, PageNumberPagination


class DefaultPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LargeTableCursorPagination(CursorPagination):
    """For tables that grow without bound (attendance, tutoring sessions): the last page
    costs what the first does, where an OFFSET would scan every row before it."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
