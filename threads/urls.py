"""Hacker News style URLs for threads and posts."""

from django.urls import path

from . import api_search, api_v0, feeds, inbox, profiles, search_views, views, voting, writing

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
    path("unflag", writing.unflag, name="unflag"),
    path("vote", voting.vote, name="vote"),
    path("replies", inbox.replies, name="replies"),
    path("v0/item/<str:item_id>.json", api_v0.item, name="api-item"),
    path("v0/user/<str:username>.json", api_v0.user, name="api-user"),
    path("v0/maxitem.json", api_v0.maxitem),
    path("v0/topstories.json", api_v0.topstories),
    path("v0/newstories.json", api_v0.newstories),
    path("v0/beststories.json", api_v0.beststories),
    path("v0/askstories.json", api_v0.askstories),
    path("v0/showstories.json", api_v0.showstories),
    path("v0/jobstories.json", api_v0.jobstories),
    path("v0/updates.json", api_v0.updates),
    *feeds.urlpatterns,
    path("user", profiles.user, name="user"),
    path("threads", profiles.comments, name="user_comments"),
    path("submitted", profiles.submitted, name="submitted"),
    path("search", search_views.search_page, name="search"),
    path("api/v1/search", api_search.search_by_relevance, name="api-search"),
    path("api/v1/search_by_date", api_search.search_by_date, name="api-search-by-date"),
    path("api/v1/items/<str:item_id>", api_search.item, name="api-search-item"),
    path("api/v1/users/<str:username>", api_search.user, name="api-search-user"),
]
