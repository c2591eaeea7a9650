"""Paging of API lists (the REST_FRAMEWORK setting DEFAULT_PAGINATION_CLASS names it)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-numbered lists; clients on slow links may ask for smaller pages."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
