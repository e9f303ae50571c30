"""Interest "worlds": the people, places and moments a lesson's framing sentences borrow.

Framing sentences only set a scene or ask the student to look for an idea; they never state a
science fact, so they need no citation and cannot invent one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import slugify


@dataclass(frozen=True)
class World:
    name: str  # the interest as students call it ("basketball")
    place: str  # "on the court"
    actor: str  # "a point guard"
    moment: str  # "drives to the hoop"
    scene: str  # a whole picture for the hook


WORLDS: dict[str, World] = {w.name.lower().replace(" ", "-"): w for w in [
    World("basketball", "on the court", "a point guard", "drives to the hoop",
          "a packed gym in the last minute of a basketball game, the ball arcing toward the rim"),
    World("soccer", "on the pitch", "a striker", "lines up a free kick",
          "a soccer stadium at night, a striker lining up a free kick"),
    World("football", "on the field", "a quarterback", "throws a long pass",
          "a football field under bright lights, a quarterback stepping back to throw"),
    World("athletics", "on the track", "a sprinter", "bursts out of the blocks",
          "a running track on race day, sprinters crouched in their blocks"),
    World("music", "on stage", "a guitarist", "hits the final chord",
          "a concert stage, the crowd waiting for the band's first note"),
    World("art", "in the studio", "a painter", "mixes a new color",
          "an art studio full of canvases, brushes and jars of paint"),
    World("photography", "behind the camera", "a photographer", "frames the perfect shot",
          "a photographer at golden hour, waiting for the light to be just right"),
    World("dance", "on the dance floor", "a dancer", "spins into a turn",
          "a dance studio, mirrors on the walls, a dancer about to leap"),
    World("video games", "in the game world", "your character", "jumps to the next level",
          "a video game boss fight, your character down to the last life"),
    World("coding", "at the keyboard", "a programmer", "runs a program for the first time",
          "a laptop screen full of code, a programmer about to press Run"),
    World("social media", "on your feed", "a creator", "posts a new video",
          "a phone screen scrolling through a feed of short videos"),
    World("robotics", "in the robotics lab", "a robot", "lifts a block",
          "a robotics competition, a robot rolling toward its first task"),
    World("space", "on the launch pad", "an astronaut", "floats through the space station",
          "a rocket on the launch pad, the countdown about to start"),
    World("biology", "out in the wild", "a naturalist", "spots a rare insect",
          "a naturalist in a rainforest, notebook open, listening to the birds"),
    World("environment", "in the nature reserve", "a ranger", "checks a stream",
          "a clear mountain stream winding through a forest"),
    World("cooking", "in the kitchen", "a chef", "sears a steak",
          "a busy restaurant kitchen, pans sizzling on every burner"),
    World("fashion", "on the runway", "a designer", "picks a fabric",
          "a fashion show backstage, designers rushing to finish the last outfit"),
    World("fitness", "in the gym", "an athlete", "lifts a heavy barbell",
          "a gym in the morning, an athlete chalking up before a heavy lift"),
    World("reading", "in the library", "a reader", "turns to the last chapter",
          "a quiet library corner with a stack of favorite books"),
    World("movies", "on the film set", "a director", "calls action",
          "a movie set, cameras rolling and the director about to call action"),
]}


def world_for(interest: str) -> World:
    """The world for an interest name; unknown interests get a plain, honest frame."""
    key = slugify(interest or "")
    if key in WORLDS:
        return WORLDS[key]
    name = (interest or "everyday life").strip().lower()
    return World(name, f"in the world of {name}", f"someone who loves {name}", "tries something new",
                 f"a day spent on {name}, the thing you love most")
