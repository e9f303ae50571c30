"""Interest "worlds": the people, places and moments a lesson's framing sentences borrow.

Framing sentences only set a scene or ask the student to look for an idea; they never state a
science fact, so they need no citation and cannot invent one.

Any interest works (issue 18, 3b): a seeded interest maps to its world by name; anything else a
student types ("skateboarding", "k-pop") is compared with each world's description using the
embedding provider already loaded for retrieval, and borrows the nearest world when it is close
enough — the lesson still names the student's own interest. Otherwise the lesson uses a generic
frame built around the interest's name (`World.generic`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from django.utils.text import slugify

from vividly.providers import registry
from vividly.providers.base import ProviderError

from .families import cosine

#: Cosine similarity (MiniLM) above which a typed interest borrows a known world's scenarios.
NEAREST_WORLD_MIN_SIMILARITY = 0.7


@dataclass(frozen=True)
class World:
    name: str  # the interest as students call it ("basketball")
    place: str  # "on the court"
    actor: str  # "a point guard"
    moment: str  # "drives to the hoop"
    scene: str  # a whole picture for the hook
    description: str = ""  # what a typed interest is compared with
    slug: str = ""  # key in WORLDS / scenarios; "" for a generic world
    generic: bool = False
    spoken: str = ""  # how a sentence names it when not just `name` ("in the environment", not "in environment")


WORLDS: dict[str, World] = {w.slug: w for w in [
    World("basketball", "on the court", "a point guard", "drives to the hoop",
          "a packed gym in the last minute of a basketball game, the ball arcing toward the rim",
          "basketball, hoops, NBA, WNBA, dribbling, shooting, dunking, a team sport on a court", "basketball"),
    World("soccer", "on the pitch", "a striker", "lines up a free kick",
          "a soccer stadium at night, a striker lining up a free kick",
          "soccer, association football, futbol, goals, kicking a ball, World Cup, a team sport on a pitch", "soccer"),
    World("football", "on the field", "a quarterback", "throws a long pass",
          "a football field under bright lights, a quarterback stepping back to throw",
          "American football, NFL, touchdowns, tackles, quarterbacks, throwing and catching a football",
          "football"),
    World("athletics", "on the track", "a sprinter", "bursts out of the blocks",
          "a running track on race day, sprinters crouched in their blocks",
          "athletics, track and field, running, sprinting, marathons, hurdles, long jump, racing, "
          "cycling, swimming, skiing, outdoor and extreme sports", "athletics"),
    World("music", "on stage", "a guitarist", "hits the final chord",
          "a concert stage, the crowd waiting for the band's first note",
          "music, songs, bands, singing, concerts, guitar, piano, drums, pop, hip hop, rap, rock, "
          "DJs, composing, instruments, k-pop, j-pop, jazz, classical music, orchestra, choir", "music"),
    World("art", "in the studio", "a painter", "mixes a new color",
          "an art studio full of canvases, brushes and jars of paint",
          "art, painting, drawing, sketching, sculpture, pottery, crafts, graffiti, design, comics", "art"),
    World("photography", "behind the camera", "a photographer", "frames the perfect shot",
          "a photographer at golden hour, waiting for the light to be just right",
          "photography, cameras, taking pictures, lenses, filming, editing photos", "photography"),
    World("dance", "on the dance floor", "a dancer", "spins into a turn",
          "a dance studio, mirrors on the walls, a dancer about to leap",
          "dance, dancing, ballet, hip-hop dance, choreography, cheerleading, gymnastics, figure skating",
          "dance"),
    World("video games", "in the game world", "your character", "jumps to the next level",
          "a video game boss fight, your character down to the last life",
          "video games, consoles, esports, Minecraft, Fortnite, Roblox, playing games online",
          "video-games"),
    World("coding", "at the keyboard", "a programmer", "runs a program for the first time",
          "a laptop screen full of code, a programmer about to press Run",
          "coding, programming, computers, software, apps, websites, computer science, hacking, AI", "coding"),
    World("social media", "on your feed", "a creator", "posts a new video",
          "a phone screen scrolling through a feed of short videos",
          "social media, TikTok, Instagram, YouTube, influencers, posting videos, streaming, memes",
          "social-media"),
    World("robotics", "in the robotics lab", "a robot", "lifts a block",
          "a robotics competition, a robot rolling toward its first task",
          "robotics, robots, building machines, engineering, drones, electronics, Lego, cars and engines",
          "robotics"),
    World("space", "on the launch pad", "an astronaut", "floats through the space station",
          "a rocket on the launch pad, the countdown about to start",
          "space, space travel, astronomy, planets, stars, rockets, astronauts, NASA, the universe, science fiction", "space"),
    World("biology", "out in the wild", "a naturalist", "spots a rare insect",
          "a naturalist in a rainforest, notebook open, listening to the birds",
          "biology, animals, pets, horses, dinosaurs, insects, wildlife, zoos, nature, medicine, doctors, the human body", "biology"),
    World("environment", "in the nature reserve", "a ranger", "checks a stream",
          "a clear mountain stream winding through a forest",
          "environment, nature, hiking, camping, the outdoors, climate, weather, storms, recycling, oceans, gardening, farming",
          "environment", spoken="the environment"),
    World("cooking", "in the kitchen", "a chef", "sears a steak",
          "a busy restaurant kitchen, pans sizzling on every burner",
          "cooking, food, recipes, chefs, kitchens, desserts, restaurants, baking, cakes, bread, cooking shows", "cooking"),
    World("fashion", "on the runway", "a designer", "picks a fabric",
          "a fashion show backstage, designers rushing to finish the last outfit",
          "fashion, clothes, style, design, makeup, beauty, sewing, sneakers, jewelry", "fashion"),
    World("fitness", "in the gym", "an athlete", "lifts a heavy barbell",
          "a gym in the morning, an athlete chalking up before a heavy lift",
          "fitness, working out, the gym, lifting weights, yoga, martial arts, boxing, wrestling, training",
          "fitness"),
    World("reading", "in the library", "a reader", "turns to the last chapter",
          "a quiet library corner with a stack of favorite books",
          "reading, books, novels, writing stories, poetry, comics, libraries", "reading"),
    World("movies", "on the film set", "a director", "calls action",
          "a movie set, cameras rolling and the director about to call action",
          "movies, films, TV shows, cartoons, animation, anime, actors, directors, theater, acting", "movies"),
]}


@dataclass(frozen=True)
class WorldMatch:
    """The world a lesson borrows, and the interest name it speaks of."""

    world: World
    interest: str  # what the lesson calls it: the student's own words
    similarity: float = 1.0

    @property
    def exact(self) -> bool:
        return not self.world.generic and self.interest.lower() in (self.world.name, self.world.spoken)


def generic_world(interest: str) -> World:
    name = " ".join((interest or "everyday life").split()) or "everyday life"
    return World(name, f"in the world of {name}", f"someone who loves {name}", "tries something new",
                 f"a day spent on {name}, the thing you love most", generic=True)


def world_for(interest: str) -> World:
    """The world for a seeded interest name or slug; anything else gets a generic, honest frame."""
    key = slugify(interest or "")
    if key in WORLDS:
        return WORLDS[key]
    return generic_world(interest)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _phrase_vectors(provider_name: str) -> list[tuple[str, list[float]]]:
    """(world slug, vector) for every comma-separated phrase of every world's description."""

    provider = registry.get("embeddings")
    phrases = [(slug, phrase.strip()) for slug, world in WORLDS.items() for phrase in world.description.split(",")]
    vectors = provider.embed_documents([phrase for _, phrase in phrases]).vectors
    return [(slug, vector) for (slug, _), vector in zip(phrases, vectors, strict=True)]


@lru_cache(maxsize=512)
def _nearest(interest: str) -> tuple[str, float]:
    """The world whose closest description phrase is most similar to the interest (max over phrases:
    a single word compared with a whole description scores too low to separate worlds)."""


    try:
        provider = registry.get("embeddings")
        with _lock:
            vectors = _phrase_vectors(provider.name)
        query = provider.embed_query(interest)
    except ProviderError:
        return "", 0.0
    best: dict[str, float] = {}
    for slug, vector in vectors:
        best[slug] = max(best.get(slug, -1.0), cosine(query, vector))
    slug = max(best, key=best.get)
    return slug, best[slug]


def match_world(interest: str) -> WorldMatch:
    """A seeded world by name; else the nearest world by embedding similarity; else a generic frame."""
    name = " ".join((interest or "").split())
    if not name:
        return WorldMatch(generic_world("everyday life"), "everyday life")
    key = slugify(name)
    if key in WORLDS:
        return WorldMatch(WORLDS[key], WORLDS[key].spoken or WORLDS[key].name)
    spoken = name if any(c.isupper() for c in name[1:]) else name.lower()  # "K-pop", "NBA" keep their capitals
    slug, similarity = _nearest(name.lower())
    if slug and similarity >= NEAREST_WORLD_MIN_SIMILARITY:
        return WorldMatch(WORLDS[slug], spoken, similarity)
    return WorldMatch(generic_world(spoken), spoken, similarity)
