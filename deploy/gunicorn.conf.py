"""gunicorn settings for ctip (deploy/systemd/ctip.service runs `gunicorn -c` this file).

The access log keeps no client address, browser signature or referrer, and no query string:
only when, what path, the answer and its size and time. gunicorn sits behind nginx (which
sees the address and logs the public form without it, deploy/nginx/ctip.conf); this makes
sure the application's own log cannot be the place an address is kept (docs/intake.md).
"""

bind = "127.0.0.1:8001"
workers = 3
timeout = 60
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
