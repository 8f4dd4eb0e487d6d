"""gunicorn settings shared by `make run`, the tests, CI and docker-compose."""

# Several servers run side by side in tests and on one host; none needs the control socket,
# whose default path is shared by every gunicorn of the same user.
control_socket_disable = True
# Logs go to the terminal; gunicorn's own access log format.
accesslog = "-"
