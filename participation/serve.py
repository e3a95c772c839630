"""Serve HTTP and Socket.IO with gevent on IPv6 and IPv4 at once.

    python -m participation.serve --port 5000

One process is the embedded default; several (each with REDIS_URL set) share
Socket.IO rooms through Redis in the scaled set-up.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import logging  # noqa: E402
import socket  # noqa: E402

import gevent  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402


def dual_stack_listener(host: str, port: int) -> socket.socket:
    """One socket for [::] and 0.0.0.0, whatever the system's bindv6only default."""
    if host in ("::", "") and socket.has_ipv6:
        try:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("::", port))
            sock.listen(1024)
            return sock
        except OSError:
            sock.close()
            host = "0.0.0.0"  # noqa: S104 - no IPv6 on this machine
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def run_periodic(app) -> None:  # noqa: ANN001
    """The embedded stand-in for Celery beat: one greenlet per job."""
    from participation.extensions import celery
    from participation.registry import registry

    def loop(job) -> None:  # noqa: ANN001
        while True:
            gevent.sleep(job.every_seconds)
            try:
                with app.app_context():
                    celery.tasks[job.task_name].delay()
            except Exception:  # a failing job must not stop the others
                app.logger.exception("periodic job %s failed", job.name)

    for job in registry(app).periodic:
        gevent.spawn(loop, job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="::")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument(
        "--no-periodic",
        action="store_true",
        help="leave periodic jobs to Celery beat (scaled mode)",
    )
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args()

    from participation import create_app
    from participation.memory import freeze_startup_objects

    app = create_app()
    logging.basicConfig(level=logging.INFO)
    if app.config["PERIODIC_JOBS"] and not args.no_periodic:
        run_periodic(app)
    freeze_startup_objects()
    listener = dual_stack_listener(args.host, args.port)
    where = f"http://localhost:{args.port}"
    if args.host == "::":
        where += " (IPv4 and IPv6)"
    print(f"Serving the participation platform on {where}", flush=True)
    WSGIServer(listener, app, log=None if args.quiet else "default").serve_forever()


if __name__ == "__main__":
    main()
