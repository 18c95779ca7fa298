"""Domain errors carry their HTTP status; one handler renders them as `{"detail": ...}`."""

from __future__ import annotations

from typing import ClassVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class CobroError(Exception):
    status_code: ClassVar[int] = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(CobroError):
    status_code = 400


class NotAuthenticated(CobroError):
    status_code = 401


class Forbidden(CobroError):
    status_code = 403


class NotFound(CobroError):
    status_code = 404


class Conflict(CobroError):
    status_code = 409


class PayloadTooLarge(CobroError):
    status_code = 413


class Unprocessable(CobroError):
    status_code = 422


async def _render(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, CobroError):  # registered for CobroError only
        raise exc
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CobroError, _render)
