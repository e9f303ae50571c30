"""What each scene's slide shows: the scene row plus the script's optional teaching keys.

Writers may add to a script scene (all optional, see content/writers/__init__.py): "key_idea",
"example_lines", "sketch", "sketch_labels", "reaction". They are read from the lesson's stored
script, cleaned (strings only, bounded lengths) and passed on in the `SlideSpec`. When a writer
gives no key idea, an explanation or example slide shows the scene's first short factual sentence.
"""

from __future__ import annotations

from typing import Any

from content.models import Lesson, LessonScene
from vividly.providers.base import SlideSpec

KEY_IDEA_WORDS, KEY_IDEA_MAX_WORDS = 14, 22  # a short sentence is preferred; a longer one only if none is


def _text(value: Any, limit: int = 160) -> str:
    return " ".join(str(value).split())[:limit] if isinstance(value, str | int | float) else ""


def _texts(value: Any, *, limit: int = 6) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else []
    return tuple(t for t in (_text(v, 120) for v in items[:limit]) if t)


def script_scene(lesson: Lesson, index: int) -> dict[str, Any]:
    """The stored script's scene for a scene row (1-based index); {} when absent."""
    scenes = (lesson.script or {}).get("scenes") or []
    scene = scenes[index - 1] if 0 < index <= len(scenes) else {}
    return scene if isinstance(scene, dict) else {}


def key_idea(scene: LessonScene, extra: dict[str, Any]) -> str:
    """The writer's key idea, else (explanation/example) the first short factual sentence, else the
    shortest one that still fits a slide."""
    given = _text(extra.get("key_idea"))
    if given or scene.kind not in (LessonScene.Kind.EXPLANATION, LessonScene.Kind.EXAMPLE):
        return given
    facts = [_text(s.get("text"), 300) for s in scene.sentences or [] if isinstance(s, dict) and not s.get("framing")]
    facts = [f for f in facts if f and len(f.split()) <= KEY_IDEA_MAX_WORDS]
    short = [f for f in facts if len(f.split()) <= KEY_IDEA_WORDS]
    chosen = short[0] if short else min(facts, key=lambda f: len(f.split()), default="")
    return chosen.rstrip(".")


def slide_spec(lesson: Lesson, scene: LessonScene, *, count: int, citation: str) -> SlideSpec:
    """The SlideSpec for one scene of a lesson."""
    extra = script_scene(lesson, scene.index)
    idea = key_idea(scene, extra)
    bullets = list(scene.bullets or [])[:4]
    if idea and not _text(extra.get("key_idea")):
        bullets = []  # the derived key idea is one of these sentences: show it once
    return SlideSpec(
        title=scene.title, bullets=bullets, equation=scene.equation or None, citation=citation,
        interest=lesson.interest, subject=lesson.topic.subject, scene_index=scene.index - 1, scene_count=count,
        visual_description=scene.visual_description, kind=scene.kind, key_idea=idea,
        example_lines=_texts(extra.get("example_lines")), sketch=_text(extra.get("sketch"), 20).lower(),
        sketch_labels=_texts(extra.get("sketch_labels")), reaction=_text(extra.get("reaction"), 120))
