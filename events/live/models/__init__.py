"""Live Q&A models: a session of an open day, its questions, votes and bans."""

from .question import AnswerMode, Question, QuestionStatus, QuestionVote
from .session import LiveBan, LiveSession, QaState, SessionState, StreamKind

__all__ = [
    "AnswerMode",
    "LiveBan",
    "LiveSession",
    "QaState",
    "Question",
    "QuestionStatus",
    "QuestionVote",
    "SessionState",
    "StreamKind",
]
