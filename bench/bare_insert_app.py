"""The baseline for bench/comment_intake.py: bare Flask + SQLAlchemy, one INSERT per POST,
served by the same gevent WSGI server as the platform, with the same engine options
(pool size and overflow, pre-ping, session settings: participation.config.engine_options).
No auth, screening or audit.

    DATABASE_URL=postgresql+psycopg://... python bench/bare_insert_app.py --port 5099
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from participation.config import engine_options  # noqa: E402

metadata = sa.MetaData()
bare_comments = sa.Table(
    "bare_comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("receipt_no", sa.String(40), unique=True, nullable=False),
    sa.Column("consultation_id", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
)


def create_app(url: str) -> Flask:
    engine = sa.create_engine(url, **engine_options(url))
    metadata.create_all(engine)
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return "ok"

    @app.post("/api/v1/consultations/<int:consultation_id>/comments")
    def create(consultation_id: int):  # noqa: ANN202
        data = request.get_json(silent=True) or {}
        receipt = uuid.uuid4().hex[:20]
        with engine.begin() as conn:
            conn.execute(
                bare_comments.insert().values(
                    receipt_no=receipt,
                    consultation_id=consultation_id,
                    body=str(data.get("body", "")),
                    submitted_at=datetime.now(UTC),
                )
            )
        return jsonify({"receipt_no": receipt}), 201

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args()
    app = create_app(os.environ["DATABASE_URL"])
    print(f"bare insert app on {args.port}", flush=True)
    WSGIServer(("127.0.0.1", args.port), app, log=None).serve_forever()


if __name__ == "__main__":
    main()
