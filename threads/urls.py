"""Hacker News style URLs for threads and posts."""

from django.urls import path

from threads.hn import item_api, search_api
from threads.pages import favorites, feeds, inbox, lists, reading, users, voting, writing
from threads.search import views

urlpatterns = [
    path("", reading.front, name="front"),
    path("newest", reading.newest, name="newest"),
    path("best", reading.best, name="best"),
    path("newcomments", lists.newcomments, name="newcomments"),
    path("from", lists.site_threads, name="from"),
    path("fave", favorites.fave, name="fave"),
    path("favorites", favorites.favorites, name="favorites"),
    path("hide", favorites.hide, name="hide"),
    path("hidden", favorites.hidden, name="hidden"),
    path("item", reading.item, name="item"),
    path("discussion", reading.discussion, name="discussion"),
    path("source", reading.source, name="source"),
    path("links", reading.links, name="links"),
    path("submit", writing.submit, name="submit"),
    path("reply", writing.reply, name="reply"),
    path("edit", writing.edit, name="edit"),
    path("delete", writing.delete, name="delete"),
    path("modlog", reading.modlog, name="modlog"),
    path("flag", writing.flag, name="flag"),
    path("unflag", writing.unflag, name="unflag"),
    path("vote", voting.vote, name="vote"),
    path("replies", inbox.replies, name="replies"),
    path("v0/item/<str:item_id>.json", item_api.item, name="api-item"),
    path("v0/user/<str:username>.json", item_api.user, name="api-user"),
    path("v0/maxitem.json", item_api.maxitem),
    path("v0/topstories.json", item_api.topstories),
    path("v0/newstories.json", item_api.newstories),
    path("v0/beststories.json", item_api.beststories),
    path("v0/askstories.json", item_api.askstories),
    path("v0/showstories.json", item_api.showstories),
    path("v0/jobstories.json", item_api.jobstories),
    path("v0/updates.json", item_api.updates),
    *feeds.urlpatterns,
    path("user", users.user, name="user"),
    path("threads", users.comments, name="user_comments"),
    path("submitted", users.submitted, name="submitted"),
    path("search", views.search_page, name="search"),
    path("api/v1/search", search_api.search_by_relevance, name="api-search"),
    path("api/v1/search_by_date", search_api.search_by_date, name="api-search-by-date"),
    path("api/v1/items/<str:item_id>", search_api.item, name="api-search-item"),
    path("api/v1/users/<str:username>", search_api.user, name="api-search-user"),
]
