"""What the tests and the benchmarks both drive the forum with: a big tree written in bulk
(bulk), gunicorn with the bench endpoints and requests to it (server), many clients at once
with the figures of what they did (load), and nginx in front with the repo's config (nginx).

Here so that neither imports the other: tests and bench import harness; harness imports the
forum (forum, threads) and nothing of tests or bench, whose endpoints its servers only name
(DJANGO_SETTINGS_MODULE=bench.settings). Modules that gunicorn's parent imports before Django
is set up (server) import no model.
"""
