"""Hacker News style URLs for threads and posts."""

from django.urls import path

from . import api_search, inbox, search_views, views, voting, writing

urlpatterns = [
    path("", views.front, name="front"),
    path("newest", views.newest, name="newest"),
    path("best", views.best, name="best"),
    path("item", views.item, name="item"),
    path("discussion", views.discussion, name="discussion"),
    path("source", views.source, name="source"),
    path("links", views.links, name="links"),
    path("submit", writing.submit, name="submit"),
    path("reply", writing.reply, name="reply"),
    path("edit", writing.edit, name="edit"),
    path("delete", writing.delete, name="delete"),
    path("modlog", views.modlog, name="modlog"),
    path("flag", writing.flag, name="flag"),
    path("vote", voting.vote, name="vote"),
    path("replies", inbox.replies, name="replies"),
    path("search", search_views.search_page, name="search"),
    path("api/v1/search", api_search.search_by_relevance, name="api-search"),
    path("api/v1/search_by_date", api_search.search_by_date, name="api-search-by-date"),
    path("api/v1/items/<str:item_id>", api_search.item, name="api-search-item"),
    path("api/v1/users/<str:username>", api_search.user, name="api-search-user"),
]
