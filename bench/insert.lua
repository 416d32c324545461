-- wrk script for bench/vote.py: POST /bench/insert (one row inserted and committed per request)
wrk.method = "POST"
wrk.body = "note=x"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
