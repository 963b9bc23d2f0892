"""Typed readers for settings that come from the environment.

Every reader fails loudly (``ImproperlyConfigured`` naming the variable and the bad value)
instead of silently falling back, so that a typo in a deployment is caught at start-up and
not discovered in production.  ``NAME_FILE`` is honoured for secrets (Docker/Kubernetes
secrets mount files, not variables).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# The readers are named after the types they return (env.str, env.int …), which shadows the
# builtins inside the class body; these aliases keep the annotations meaning the builtins.
Text = str
Flag = bool
Number = int
TextList = list[str]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default, any dict in tests)."""

    def __init__(self, source: Mapping[Text, Text] | None = None) -> None:
        self.source = os.environ if source is None else source

    def _raw(self, name: Text) -> Text | None:
        value = self.source.get(name)
        file_name = self.source.get(f"{name}_FILE")
        if value is not None and file_name:
            raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"{name}_FILE={file_name!r} cannot be read: {exc}"
                ) from exc
        return value

    def str(self, name: Text, default: Text | None = None) -> Text:
        value = self._raw(name)
        if value is None:
            if default is None:
                raise ImproperlyConfigured(f"The environment variable {name} is required.")
            return default
        return value

    def optional(self, name: Text) -> Text | None:
        value = self._raw(name)
        return value if value else None

    def bool(self, name: Text, default: Flag = False) -> Flag:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
        )

    def int(self, name: Text, default: Number, *, minimum: Number | None = None) -> Number:
        value = self._raw(name)
        if value is None or value.strip() == "":
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
        return number

    def list(self, name: Text, default: TextList | None = None) -> TextList:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: Text, choices: tuple[Text, ...], default: Text) -> Text:
        value = self.str(name, default).strip().lower()
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
        return value

    def path(self, name: Text, default: Path) -> Path:
        value = self._raw(name)
        return Path(value).expanduser().resolve() if value else default


env = Env()
