"""Worked examples in the student's world, computed by code from the section's own relationship.

`find_relationship(passages)` looks for a textbook equation the section states (F_net = ma,
p = mv, v = fλ, V = IR, PV = nRT, pH = −log[H3O+] ...) in its passages; `worked_example()` then
picks quantities from the interest world's table below, computes the result, and returns the
spoken sentences (framing: the numbers are a made-up scenario, not textbook facts), the slide's
equation and number lines, and a numeric quiz item whose distractors are the usual slips
(multiplying instead of dividing, dividing the wrong way round, forgetting a square).
Values are everyday magnitudes, reviewed for plausibility; constants are the textbooks' values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

G = 9.80  # m/s², as in OpenStax Physics
SOUND = 343.0  # m/s in air at 20 °C
LIGHT = 3.00e8  # m/s
WATER_C = 4186.0  # J/(kg·°C)
R_GAS = 0.08206  # L·atm/(mol·K)


@dataclass(frozen=True)
class Things:
    """Everyday quantities of one interest world (SI units)."""

    obj: str  # a moving thing
    mass: float  # kg
    speed: float  # m/s
    force: float  # N, a typical net force on it
    height: float  # m it rises or falls
    distance: float  # m it is pushed
    time: float  # s the push/trip lasts
    sound: str
    frequency: float  # Hz
    device: str
    volts: float
    ohms: float
    water: str  # something watery that warms up
    water_kg: float
    warming: float  # °C rise
    drink: str  # a solution
    solute_mol: float
    liters: float
    gas: str  # a container of air
    gas_liters: float
    gas_atm: float
    sour: str  # an acidic liquid
    hydronium: float  # mol/L


THINGS: dict[str, Things] = {
    "basketball": Things("basketball", 0.62, 8.0, 12.0, 3.0, 0.5, 0.4, "referee's whistle", 3000, "shot-clock buzzer",
                         12, 48, "water bottle left courtside in the sun", 0.5, 15, "sports drink", 0.12, 0.6,
                         "basketball", 7.5, 1.5, "lemonade", 0.001),
    "soccer": Things("soccer ball", 0.43, 25.0, 9.0, 12.0, 0.3, 0.1, "stadium horn", 220, "floodlight controller", 24,
                     60, "ice bath for sore legs", 20, 5, "electrolyte drink", 0.05, 0.5, "soccer ball", 5.5, 1.8,
                     "orange juice at halftime", 0.0003),
    "football": Things("football", 0.42, 20.0, 10.0, 15.0, 0.6, 0.15, "referee's whistle", 2800, "coach's headset",
                       6, 30, "cooler of water on the sideline", 10, 8, "sports drink", 0.1, 0.5, "football", 4.2, 1.9,
                       "lemon-lime drink", 0.0005),
    "athletics": Things("sprinter", 65, 10.0, 400.0, 0.6, 10.0, 2.0, "starting pistol's echo", 1000, "timing-gate sensor",
                        5, 250, "water bottle at the finish line", 0.75, 12, "recovery drink", 0.1, 0.5, "racing bike tire",
                        0.4, 7.0, "orange juice", 0.0003),
    "music": Things("drumstick", 0.05, 6.0, 2.0, 0.5, 0.3, 0.05, "guitar's A string", 110, "guitar amplifier", 9, 18,
                    "mug of tea for the singer's throat", 0.3, 40, "honey-lemon tea", 0.03, 0.3, "trumpet player's lungs",
                    6.0, 1.0, "lemon in the singer's tea", 0.002),
    "art": Things("lump of clay", 2.0, 1.5, 6.0, 1.0, 0.8, 1.0, "wind chime", 880, "LED light sculpture", 9, 450,
                  "jar of rinse water", 0.5, 10, "watercolor wash", 0.02, 0.25, "spray-paint can", 0.4, 3.0,
                  "vinegar for cleaning brushes", 0.003),
    "photography": Things("camera drone", 0.9, 12.0, 6.0, 30.0, 5.0, 3.0, "drone's buzz", 200, "camera flash", 6, 12,
                          "darkroom water bath", 2.0, 5, "developer solution", 0.2, 1.0, "camera bag of air", 3.0, 1.0,
                          "darkroom stop bath", 0.01),
    "dance": Things("dancer", 55, 3.0, 110.0, 0.5, 1.0, 0.6, "bass note from the speaker", 55, "stage spotlight", 120,
                    60, "water bottle in the studio", 0.5, 8, "sports drink", 0.08, 0.5, "fog machine's tank", 2.0, 1.5,
                    "apple juice", 0.0005),
    "video-games": Things("racing kart in the game", 150, 15.0, 600.0, 8.0, 20.0, 4.0, "game's laser sound effect", 880,
                          "game controller's rumble motor", 3, 10, "cooling loop in a gaming PC", 0.4, 20,
                          "energy potion in a crafting game", 0.1, 0.5, "balloon in a puzzle level", 10.0, 1.0,
                          "acid pool in a puzzle level", 0.01),
    "coding": Things("robot vacuum you program", 3.0, 0.5, 3.0, 0.1, 2.0, 4.0, "laptop's warning beep", 440,
                     "LED on a microcontroller", 5, 250, "laptop cooling pad's water", 0.3, 10, "saline solution in a lab script",
                     0.15, 1.0, "sealed sensor box", 1.0, 1.0, "lemon juice in a pH-sensor test", 0.005),
    "social-media": Things("phone on a selfie stick", 0.2, 2.0, 1.0, 1.5, 0.5, 0.5, "notification ping", 1500,
                           "ring light", 5, 10, "iced coffee in a video", 0.4, 5, "bubble-tea syrup", 0.3, 0.5,
                           "balloon in a party video", 8.0, 1.0, "vinegar in a fizzing-volcano video", 0.001),
    "robotics": Things("competition robot", 12, 2.0, 36.0, 0.5, 3.0, 2.0, "robot's buzzer", 2000, "drive motor", 12,
                       3, "coolant in a robot arm", 0.2, 15, "salt water for a sensor test", 0.6, 1.0,
                       "pneumatic gripper tank", 0.5, 4.0, "acid cleaner for circuit boards", 0.01),
    "space": Things("astronaut in her suit", 160, 0.5, 80.0, 2.0, 1.0, 2.0, "launch-pad siren", 600,
                    "station light panel", 28, 56, "astronaut's water pouch", 0.5, 30, "drink mix in a space pouch",
                    0.05, 0.25, "spacesuit", 20.0, 0.3, "orange-juice pouch", 0.0003),
    "biology": Things("cheetah", 50, 25.0, 500.0, 1.0, 15.0, 3.0, "bat's click", 50000, "lab incubator heater", 12, 6,
                      "fish tank", 40, 3, "sugar water for hummingbirds", 0.25, 1.0, "frog's lungs", 0.02, 1.0,
                      "ant's defensive spray", 0.01),
    "environment": Things("kayak with its paddler", 90, 2.0, 45.0, 2.0, 10.0, 5.0, "loon's call", 1000,
                          "solar-powered trail light", 6, 12, "pond in the sun", 1000, 2, "seawater sample", 0.6, 1.0,
                          "weather balloon", 100.0, 1.0, "acid-rain puddle", 0.00001),
    "cooking": Things("cast-iron pan", 2.5, 1.0, 5.0, 1.0, 0.5, 0.5, "kitchen timer", 2500, "toaster", 120, 12,
                      "pot of pasta water", 2.0, 80, "sweet syrup", 1.0, 1.0, "pressure cooker", 6.0, 2.0,
                      "lemon juice", 0.005),
    "fashion": Things("model on the runway", 60, 1.5, 60.0, 0.3, 5.0, 3.0, "runway music's bass", 80,
                      "light-up jacket", 3.7, 15, "steamer's water tank", 0.5, 80, "fabric dye bath", 0.2, 5.0,
                      "vacuum storage bag", 50.0, 1.0, "vinegar rinse for dyed fabric", 0.003),
    "fitness": Things("barbell", 20, 1.5, 60.0, 2.0, 2.0, 1.0, "gym timer's beep", 1000, "treadmill motor", 120, 40,
                      "shaker bottle of water", 0.7, 10, "sports drink", 0.1, 0.7, "exercise ball", 65.0, 1.1,
                      "sports drink", 0.0008),
    "reading": Things("book sliding across a table", 1.0, 1.0, 3.0, 1.0, 0.5, 1.0, "library's fire-alarm test tone",
                      3000, "reading lamp", 120, 240, "mug of cocoa", 0.3, 50, "sweet tea", 0.05, 0.3,
                      "bag of chips on a plane", 1.5, 0.75, "old acidic paper's extract", 0.0001),
    "movies": Things("stunt car", 1200, 20.0, 6000.0, 5.0, 30.0, 3.0, "police siren in a chase scene", 700,
                     "set light", 120, 10, "fake-snow water tank", 100, 10, "fake blood (corn syrup)", 2.0, 1.0,
                     "helium balloon for a scene", 15.0, 1.0, "prop 'acid' (vinegar)", 0.001),
}
#: Volume of each world's moving thing (L), for density.
VOLUMES: dict[str, float] = {
    "basketball": 7.5, "soccer": 5.5, "football": 4.2, "athletics": 63, "music": 0.06, "art": 1.1,
    "photography": 2.0, "dance": 53, "video-games": 200, "coding": 4.5, "social-media": 0.1, "robotics": 20,
    "space": 250, "biology": 48, "environment": 400, "cooking": 0.35, "fashion": 58, "fitness": 2.6,
    "reading": 1.3, "movies": 10000,
}
#: For interests without a world of their own.
DEFAULT_THINGS = Things("ball", 0.5, 5.0, 5.0, 2.0, 1.0, 1.0, "phone's ringtone", 880, "phone charger", 5, 2.5,
                        "water bottle", 0.5, 10, "sports drink", 0.1, 0.5, "balloon", 5.0, 1.0, "lemonade", 0.001)


@dataclass
class WorkedExample:
    key: str
    title: str
    equation: str  # display form for the slide ("a = F_net / m")
    spoken_rule: str  # "acceleration equals net force divided by mass"
    setup: str  # framing sentence with the givens
    working: str  # framing sentence with the computation and result, in words
    givens: list[str]  # slide lines: "m = 0.62 kg"
    result: str  # slide line: "a = 12 N ÷ 0.62 kg ≈ 19 m/s²"
    quiz_prompt: str
    answer: str
    distractors: list[str]
    terms: tuple[str, ...]  # words the textbook's own statement of the relationship uses
    extra: dict[str, Any] = field(default_factory=dict)
    cues: tuple[str, ...] = ()  # a student's words for what the relationship is about (ranks it for a question)

    def slide(self) -> dict[str, Any]:
        return {"equation": self.equation, "givens": list(self.givens), "result": self.result}


def sig(x: float, digits: int = 2) -> str:
    """A number to `digits` significant figures, without a trailing '.0' or scientific notation."""
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    places = digits - 1 - magnitude
    rounded = round(x, places)
    return f"{rounded:,.{places}f}" if places > 0 else f"{round(rounded):,}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific(x: float) -> tuple[str, str]:
    """(display, spoken) scientific notation: ("3 × 10⁻⁴", "3 times ten to the minus 4")."""
    exponent = math.floor(math.log10(abs(x)))
    mantissa = sig(x / 10 ** exponent)
    sign = "minus " if exponent < 0 else ""
    display = f"{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"
    return display, f"{mantissa} times ten to the {sign}{abs(exponent)}"


def _spoken(number: str) -> str:
    return number.replace(",", "")


@dataclass(frozen=True)
class Relationship:
    key: str
    family: str
    pattern: str  # regex on the passage text with all whitespace removed
    build: Callable[[Things, str, str, str], WorkedExample]


#: Worlds whose moving "thing" is a person: setups say "a 55 kilogram dancer pushes off", not
#: "a dancer gives a dancer a push".
PEOPLE = frozenset({"sprinter", "dancer", "astronaut in her suit", "kayak with its paddler", "model on the runway"})


def _unique(answer: str, options: list[str]) -> list[str]:
    """Three distinct wrong options; pads with the answer off by a factor of ten (a units slip)."""
    found = [o for o in dict.fromkeys(options) if o != answer]
    match = re.match(r"^(about )?([\d,.]+)(.*)$", answer)
    if match:
        value = float(match.group(2).replace(",", ""))
        for factor in (10, 0.1, 100):
            option = f"{match.group(1) or ''}{sig(value * factor)}{match.group(3)}"
            if option != answer and option not in found:
                found.append(option)
    return found[:3]


def _newton2(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    a = t.force / t.mass
    ans = f"{sig(a)} m/s²"
    return WorkedExample(
        "newton2", "Newton's second law", "a = F_net / m", "acceleration equals net force divided by mass",
        (f"Say a {sig(t.mass)} kilogram {t.obj} pushes off with a net force of {sig(t.force)} newtons."
         if t.obj in PEOPLE else
         f"Say {who} gives a {sig(t.mass)} kilogram {t.obj} a net force of {sig(t.force)} newtons."),
        f"Acceleration equals net force divided by mass, so {_spoken(sig(t.force))} newtons divided by "
        f"{_spoken(sig(t.mass))} kilograms is about {_spoken(sig(a))} meters per second squared.",
        [f"m = {sig(t.mass)} kg ({t.obj})", f"F_net = {sig(t.force)} N"],
        f"a = {sig(t.force)} N ÷ {sig(t.mass)} kg ≈ {ans}",
        f"A {sig(t.mass)} kg {t.obj} feels a net force of {sig(t.force)} N. What is its acceleration?", ans,
        _unique(ans, [f"{sig(t.force * t.mass)} m/s²", f"{sig(t.mass / t.force)} m/s²", f"{sig(t.force)} m/s²"]),
        ("net external force", "mass", "acceleration"))


def _weight(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    w = t.mass * G
    ans = f"{sig(w)} N"
    return WorkedExample(
        "weight", "Weight", "W = m g", "weight equals mass times the acceleration due to gravity",
        f"Take a {sig(t.mass)} kilogram {t.obj} {place}, with gravity's acceleration of 9.8 meters per "
        "second squared.",
        f"Weight equals mass times 9.8, so its weight is about {_spoken(sig(w))} newtons.",
        [f"m = {sig(t.mass)} kg ({t.obj})", "g = 9.80 m/s²"], f"W = {sig(t.mass)} kg × 9.80 m/s² ≈ {ans}",
        f"What is the weight of a {sig(t.mass)} kg {t.obj} on Earth (g = 9.80 m/s²)?", ans,
        _unique(ans, [f"{sig(t.mass)} N", f"{sig(t.mass / G)} N", f"{sig(w * G)} N"]),
        ("weight", "mass", "gravity"))


def _momentum(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    p = t.mass * t.speed
    ans = f"{sig(p)} kg·m/s"
    return WorkedExample(
        "momentum", "Momentum", "p = m v", "momentum equals mass times velocity",
        (f"Say a {sig(t.mass)} kilogram {t.obj} moves at {sig(t.speed)} meters per second." if t.obj in PEOPLE else
         f"Say {who} sends a {sig(t.mass)} kilogram {t.obj} moving at {sig(t.speed)} meters per second."),
        f"Momentum equals mass times velocity, so its momentum is about {_spoken(sig(p))} kilogram meters per second.",
        [f"m = {sig(t.mass)} kg ({t.obj})", f"v = {sig(t.speed)} m/s"], f"p = {sig(t.mass)} kg × {sig(t.speed)} m/s ≈ {ans}",
        f"What is the momentum of a {sig(t.mass)} kg {t.obj} moving at {sig(t.speed)} m/s?", ans,
        _unique(ans, [f"{sig(t.mass / t.speed)} kg·m/s", f"{sig(t.speed / t.mass)} kg·m/s",
                      f"{sig(0.5 * t.mass * t.speed ** 2)} kg·m/s"]),
        ("momentum", "mass", "velocity"))


def _kinetic(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    ke = 0.5 * t.mass * t.speed ** 2
    ans = f"{sig(ke)} J"
    return WorkedExample(
        "kinetic", "Kinetic energy", "KE = ½ m v²", "kinetic energy equals one half times mass times speed squared",
        (f"Say a {sig(t.mass)} kilogram {t.obj} moves at {sig(t.speed)} meters per second." if t.obj in PEOPLE else
         f"Say {who} gets a {sig(t.mass)} kilogram {t.obj} moving at {sig(t.speed)} meters per second."),
        f"Kinetic energy is one half times mass times speed squared, so it carries about {_spoken(sig(ke))} joules.",
        [f"m = {sig(t.mass)} kg ({t.obj})", f"v = {sig(t.speed)} m/s"],
        f"KE = ½ × {sig(t.mass)} kg × ({sig(t.speed)} m/s)² ≈ {ans}",
        f"What is the kinetic energy of a {sig(t.mass)} kg {t.obj} moving at {sig(t.speed)} m/s?", ans,
        _unique(ans, [f"{sig(t.mass * t.speed ** 2)} J", f"{sig(0.5 * t.mass * t.speed)} J",
                      f"{sig(t.mass * t.speed)} J"]),
        ("kinetic energy", "mass", "velocity"))


def _potential(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    pe = t.mass * G * t.height
    ans = f"{sig(pe)} J"
    return WorkedExample(
        "potential", "Gravitational potential energy", "PE = m g h",
        "potential energy equals mass times gravity's acceleration times height",
        (f"Say a {sig(t.mass)} kilogram {t.obj} rises {sig(t.height)} meters." if t.obj in PEOPLE else
         f"Say {who} lifts a {sig(t.mass)} kilogram {t.obj} {sig(t.height)} meters up."),
        f"Potential energy equals mass times 9.8 times height, so it gains about {_spoken(sig(pe))} joules.",
        [f"m = {sig(t.mass)} kg ({t.obj})", f"h = {sig(t.height)} m", "g = 9.80 m/s²"],
        f"PE = {sig(t.mass)} kg × 9.80 m/s² × {sig(t.height)} m ≈ {ans}",
        f"How much gravitational potential energy does a {sig(t.mass)} kg {t.obj} gain when raised "
        f"{sig(t.height)} m (g = 9.80 m/s²)?", ans,
        _unique(ans, [f"{sig(t.mass * t.height)} J", f"{sig(t.mass * G)} J", f"{sig(pe * G)} J"]),
        ("potential energy", "height", "mass"))


def _work(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    w = t.force * t.distance
    ans = f"{sig(w)} J"
    return WorkedExample(
        "work", "Work", "W = F d", "work equals force times the distance moved in the direction of the force",
        (f"Say a {t.obj} pushes with a force of {sig(t.force)} newtons over {sig(t.distance)} meters."
         if t.obj in PEOPLE else
         f"Say {who} pushes a {t.obj} with a force of {sig(t.force)} newtons for {sig(t.distance)} meters."),
        f"Work equals force times distance, so that push does about {_spoken(sig(w))} joules of work.",
        [f"F = {sig(t.force)} N", f"d = {sig(t.distance)} m"], f"W = {sig(t.force)} N × {sig(t.distance)} m ≈ {ans}",
        f"How much work is done pushing a {t.obj} with {sig(t.force)} N over {sig(t.distance)} m?", ans,
        _unique(ans, [f"{sig(t.force / t.distance)} J", f"{sig(t.distance / t.force)} J", f"{sig(t.force)} J"]),
        ("work", "force", "distance"))


def _power(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    work = t.force * t.distance
    p = work / t.time
    ans = f"{sig(p)} W"
    return WorkedExample(
        "power", "Power", "P = W / t", "power equals work divided by time",
        (f"Say a {t.obj} does {sig(work)} joules of work in {sig(t.time)} seconds." if t.obj in PEOPLE else
         f"Say {who} does {sig(work)} joules of work moving a {t.obj} in {sig(t.time)} seconds."),
        f"Power equals work divided by time, so that is about {_spoken(sig(p))} watts.",
        [f"W = {sig(work)} J", f"t = {sig(t.time)} s"], f"P = {sig(work)} J ÷ {sig(t.time)} s ≈ {ans}",
        f"What power is needed to do {sig(work)} J of work in {sig(t.time)} s?", ans,
        _unique(ans, [f"{sig(work * t.time)} W", f"{sig(t.time / work)} W", f"{sig(work)} W"]),
        ("power", "work", "time"))


def _speed(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    distance = t.speed * t.time * 4
    time = t.time * 4
    v = distance / time
    ans = f"{sig(v)} m/s"
    return WorkedExample(
        "speed", "Average speed", "v = d / t", "average speed equals distance divided by time",
        f"Say a {t.obj} {place} covers {sig(distance)} meters in {sig(time)} seconds.",
        f"Average speed equals distance divided by time, so it averages about {_spoken(sig(v))} meters per second.",
        [f"d = {sig(distance)} m", f"t = {sig(time)} s"], f"v = {sig(distance)} m ÷ {sig(time)} s ≈ {ans}",
        f"A {t.obj} covers {sig(distance)} m in {sig(time)} s. What is its average speed?", ans,
        _unique(ans, [f"{sig(distance * time)} m/s", f"{sig(time / distance)} m/s", f"{sig(distance)} m/s"]),
        ("speed", "distance", "time"))


def _acceleration(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    a = t.speed / t.time
    ans = f"{sig(a)} m/s²"
    return WorkedExample(
        "acceleration", "Average acceleration", "a = Δv / Δt", "acceleration equals change in velocity divided by time",
        f"Say a {t.obj} {place} goes from rest to {sig(t.speed)} meters per second in {sig(t.time)} seconds.",
        f"Acceleration equals the change in velocity divided by the time, so that is about {_spoken(sig(a))} meters "
        "per second squared.",
        [f"Δv = {sig(t.speed)} m/s", f"Δt = {sig(t.time)} s"], f"a = {sig(t.speed)} m/s ÷ {sig(t.time)} s ≈ {ans}",
        f"A {t.obj} speeds up from 0 to {sig(t.speed)} m/s in {sig(t.time)} s. What is its average acceleration?", ans,
        _unique(ans, [f"{sig(t.speed * t.time)} m/s²", f"{sig(t.time / t.speed)} m/s²", f"{sig(t.speed)} m/s²"]),
        ("acceleration", "velocity", "time"))


def _wave(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    wavelength = SOUND / t.frequency
    ans = f"{sig(wavelength)} m"
    return WorkedExample(
        "wave_speed", "Wave speed", "v = f λ", "wave speed equals frequency times wavelength",
        f"Take the {t.sound} {place}, a sound of about {sig(t.frequency)} hertz, traveling through air at "
        "343 meters per second.",
        f"Wave speed equals frequency times wavelength, so each wavelength is 343 divided by "
        f"{_spoken(sig(t.frequency))}, about {_spoken(sig(wavelength))} meters.",
        [f"f = {sig(t.frequency)} Hz ({t.sound})", "v = 343 m/s (air, 20 °C)"],
        f"λ = v ÷ f = 343 m/s ÷ {sig(t.frequency)} Hz ≈ {ans}",
        f"A {sig(t.frequency)} Hz sound travels at 343 m/s in air. What is its wavelength?", ans,
        _unique(ans, [f"{sig(SOUND * t.frequency)} m", f"{sig(t.frequency / SOUND)} m", f"{sig(SOUND)} m"]),
        ("wavelength", "frequency", "speed"))


def _light(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    wavelength_nm = 650.0
    f = LIGHT / (wavelength_nm * 1e-9)
    ans = f"{sig(f / 1e14)} × 10¹⁴ Hz"
    return WorkedExample(
        "light_speed", "Speed of light", "c = f λ", "the speed of light equals frequency times wavelength",
        f"Take a red light {place}, with a wavelength of about 650 nanometers.",
        f"Light's speed equals frequency times wavelength, so its frequency is the speed of light divided by the "
        f"wavelength, about {_spoken(sig(f / 1e14))} times ten to the fourteenth hertz.",
        ["λ = 650 nm (red light)", "c = 3.00 × 10⁸ m/s"], f"f = c ÷ λ ≈ {ans}",
        "Red light has a wavelength of 650 nm. What is its frequency (c = 3.00 × 10⁸ m/s)?", ans,
        _unique(ans, [f"{sig(LIGHT * 650e-9)} Hz", f"{sig(f / 1e13)} × 10¹⁴ Hz", f"{sig(f / 1e15)} × 10¹⁴ Hz"]),
        ("wavelength", "frequency", "light"))


def _ohm(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    current = t.volts / t.ohms
    ans = f"{sig(current)} A"
    return WorkedExample(
        "ohm", "Ohm's law", "I = V / R", "current equals voltage divided by resistance",
        f"Say the {t.device} {place} runs on {sig(t.volts)} volts and has a resistance of {sig(t.ohms)} ohms.",
        f"Current equals voltage divided by resistance, so about {_spoken(sig(current))} amperes flow through it.",
        [f"V = {sig(t.volts)} V ({t.device})", f"R = {sig(t.ohms)} Ω"], f"I = {sig(t.volts)} V ÷ {sig(t.ohms)} Ω ≈ {ans}",
        f"A {sig(t.volts)} V source drives a {sig(t.ohms)} Ω {t.device}. What current flows?", ans,
        _unique(ans, [f"{sig(t.volts * t.ohms)} A", f"{sig(t.ohms / t.volts)} A", f"{sig(t.volts)} A"]),
        ("current", "voltage", "resistance"))


def _electric_power(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    current = t.volts / t.ohms
    p = t.volts * current
    ans = f"{sig(p)} W"
    return WorkedExample(
        "electric_power", "Electric power", "P = I V", "electric power equals current times voltage",
        f"Say the {t.device} {place} draws {sig(current)} amperes at {sig(t.volts)} volts.",
        f"Electric power equals current times voltage, so it uses about {_spoken(sig(p))} watts.",
        [f"I = {sig(current)} A", f"V = {sig(t.volts)} V"], f"P = {sig(current)} A × {sig(t.volts)} V ≈ {ans}",
        f"A {t.device} draws {sig(current)} A at {sig(t.volts)} V. How much power does it use?", ans,
        _unique(ans, [f"{sig(t.volts / current)} W", f"{sig(current / t.volts)} W", f"{sig(t.volts)} W"]),
        ("power", "current", "voltage"))


def _heat(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    q = t.water_kg * WATER_C * t.warming
    ans = f"{sig(q)} J"
    return WorkedExample(
        "heat", "Heat and specific heat", "Q = m c ΔT", "heat equals mass times specific heat times temperature change",
        f"Say the {t.water}, about {sig(t.water_kg)} kilograms of water, warms up by {sig(t.warming)} degrees Celsius.",
        f"Heat equals mass times specific heat times the temperature change; with water's 4186 joules per kilogram "
        f"per degree, that is about {_spoken(sig(q))} joules.",
        [f"m = {sig(t.water_kg)} kg of water", "c = 4186 J/(kg·°C)", f"ΔT = {sig(t.warming)} °C"],
        f"Q = {sig(t.water_kg)} kg × 4186 J/(kg·°C) × {sig(t.warming)} °C ≈ {ans}",
        f"How much heat warms {sig(t.water_kg)} kg of water by {sig(t.warming)} °C (c = 4186 J/(kg·°C))?", ans,
        _unique(ans, [f"{sig(t.water_kg * t.warming)} J", f"{sig(WATER_C * t.warming)} J",
                      f"{sig(t.water_kg * WATER_C)} J"]),
        ("specific heat", "temperature", "mass"))


def _density(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    grams = t.mass * 1000
    volume = next((v for slug, v in VOLUMES.items() if THINGS.get(slug) is t), 5.0) * 1000
    d = grams / volume
    ans = f"{sig(d)} g/cm³"
    return WorkedExample(
        "density", "Density", "density = mass / volume", "density equals mass divided by volume",
        f"Say a {t.obj} {place} has a mass of {sig(grams)} grams and takes up {sig(volume)} cubic centimeters.",
        f"Density equals mass divided by volume, so its average density is about {_spoken(sig(d))} grams per cubic "
        "centimeter.",
        [f"m = {sig(grams)} g", f"V = {sig(volume)} cm³"], f"density = {sig(grams)} g ÷ {sig(volume)} cm³ ≈ {ans}",
        f"An object has a mass of {sig(grams)} g and a volume of {sig(volume)} cm³. What is its density?", ans,
        _unique(ans, [f"{sig(grams * volume)} g/cm³", f"{sig(volume / grams)} g/cm³", f"{sig(grams)} g/cm³"]),
        ("density", "mass", "volume"))


def _molarity(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    m = t.solute_mol / t.liters
    ans = f"{sig(m)} M"
    return WorkedExample(
        "molarity", "Molarity", "M = mol solute / L solution", "molarity equals moles of solute divided by liters of "
        "solution",
        f"Say the {t.drink} {place} has {sig(t.solute_mol)} moles of solute in {sig(t.liters)} liters of solution.",
        f"Molarity equals moles of solute divided by liters of solution, so it is about {_spoken(sig(m))} molar.",
        [f"n = {sig(t.solute_mol)} mol solute", f"V = {sig(t.liters)} L solution"],
        f"M = {sig(t.solute_mol)} mol ÷ {sig(t.liters)} L ≈ {ans}",
        f"What is the molarity of {sig(t.solute_mol)} mol of solute in {sig(t.liters)} L of solution?", ans,
        _unique(ans, [f"{sig(t.solute_mol * t.liters)} M", f"{sig(t.liters / t.solute_mol)} M",
                      f"{sig(t.solute_mol)} M"]),
        ("molarity", "moles", "liters"))


def _ideal_gas(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    kelvin = 293.0
    n = t.gas_atm * t.gas_liters / (R_GAS * kelvin)
    ans = f"{sig(n)} mol"
    return WorkedExample(
        "ideal_gas", "Ideal gas law", "PV = nRT  →  n = PV / RT",
        "pressure times volume equals moles times the gas constant times temperature",
        f"Say the air in a {t.gas} {place} fills {sig(t.gas_liters)} liters at {sig(t.gas_atm)} atmospheres and "
        "20 degrees Celsius, which is 293 kelvin.",
        f"Pressure times volume equals moles times the gas constant times temperature, so the amount of air is "
        f"about {_spoken(sig(n))} moles.",
        [f"P = {sig(t.gas_atm)} atm", f"V = {sig(t.gas_liters)} L", "T = 293 K", "R = 0.08206 L·atm/(mol·K)"],
        f"n = PV ÷ RT ≈ {ans}",
        f"How many moles of gas fill {sig(t.gas_liters)} L at {sig(t.gas_atm)} atm and 293 K "
        "(R = 0.08206 L·atm/(mol·K))?", ans,
        _unique(ans, [f"{sig(t.gas_atm * t.gas_liters * R_GAS * kelvin)} mol",
                      f"{sig(t.gas_atm * t.gas_liters / (R_GAS * 20))} mol", f"{sig(t.gas_atm * t.gas_liters)} mol"]),
        ("pressure", "volume", "temperature"))


def _boyle(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    v2 = t.gas_liters / 2
    p2 = t.gas_atm * t.gas_liters / v2
    ans = f"{sig(p2)} atm"
    return WorkedExample(
        "boyle", "Boyle's law", "P₁V₁ = P₂V₂", "at constant temperature, pressure times volume stays the same",
        f"Say the air in a {t.gas} {place} is at {sig(t.gas_atm)} atmospheres in {sig(t.gas_liters)} liters, "
        f"and it is squeezed to {sig(v2)} liters without changing temperature.",
        f"Pressure times volume stays the same, so the pressure rises to about {_spoken(sig(p2))} atmospheres.",
        [f"P₁ = {sig(t.gas_atm)} atm, V₁ = {sig(t.gas_liters)} L", f"V₂ = {sig(v2)} L"],
        f"P₂ = P₁V₁ ÷ V₂ ≈ {ans}",
        f"A gas at {sig(t.gas_atm)} atm fills {sig(t.gas_liters)} L. At the same temperature it is squeezed to "
        f"{sig(v2)} L. What is its new pressure?", ans,
        _unique(ans, [f"{sig(t.gas_atm / 2)} atm", f"{sig(t.gas_atm)} atm", f"{sig(t.gas_atm * 4)} atm"]),
        ("pressure", "volume"))


def _charles(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    warm, cold = 293.0, 253.0  # 20 °C and −20 °C (a winter day, a freezer)
    v2 = t.gas_liters * cold / warm
    ans = f"{sig(v2)} L"
    return WorkedExample(
        "charles", "Charles's law", "V₁/T₁ = V₂/T₂", "at constant pressure, volume divided by kelvin temperature "
        "stays the same",
        f"Say the air in a {t.gas} {place} fills {sig(t.gas_liters)} liters at 20 degrees Celsius, which is 293 "
        "kelvin, and it is cooled to minus 20 degrees Celsius, which is 253 kelvin, at the same pressure.",
        f"Volume divided by kelvin temperature stays the same, so the air shrinks to about {_spoken(sig(v2))} liters.",
        [f"V₁ = {sig(t.gas_liters)} L, T₁ = 293 K", "T₂ = 253 K"],
        f"V₂ = V₁ × T₂ ÷ T₁ ≈ {ans}",
        f"A gas fills {sig(t.gas_liters)} L at 293 K. At the same pressure it is cooled to 253 K. What is its new "
        "volume?", ans,
        _unique(ans, [f"{sig(t.gas_liters * warm / cold)} L", f"{sig(t.gas_liters)} L", f"{sig(t.gas_liters / 2)} L"]),
        ("volume", "temperature"),
        # a student's words for what it is about: a balloon in the freezer, a tire on a cold morning
        cues=("cold", "colder", "cools", "cooled", "freezer", "hot", "warm", "heated", "shrink", "shrinks", "expand",
              "expands"))


def _ph(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    ph = -math.log10(t.hydronium)
    ans = f"{ph:.1f}"
    exponent, spoken = scientific(t.hydronium)
    return WorkedExample(
        "ph", "pH", "pH = −log[H₃O⁺]", "pH is the negative logarithm of the hydronium ion concentration",
        f"Say the {t.sour} {place} has a hydronium concentration of {spoken} moles per liter.",
        f"The pH is the negative log of that concentration, which comes to about {ph:.1f}.",
        [f"[H₃O⁺] = {exponent} M ({t.sour})"], f"pH = −log({exponent}) ≈ {ans}",
        f"A solution has [H₃O⁺] = {exponent} M. What is its pH?", ans,
        _unique(ans, [f"{-ph:.1f}", f"{14 - ph:.1f}", f"{ph + 1:.1f}"]),
        ("hydronium", "ph", "concentration"))


def _centripetal(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    radius = 10.0
    a = t.speed ** 2 / radius
    ans = f"{sig(a)} m/s²"
    return WorkedExample(
        "centripetal", "Centripetal acceleration", "a_c = v² / r", "centripetal acceleration equals speed squared "
        "divided by the radius",
        f"Say a {t.obj} {place} moves at {sig(t.speed)} meters per second around a curve with a 10 meter radius.",
        f"Centripetal acceleration equals speed squared divided by the radius, so it is about {_spoken(sig(a))} meters "
        "per second squared, pointing to the center.",
        [f"v = {sig(t.speed)} m/s", "r = 10 m"], f"a_c = ({sig(t.speed)} m/s)² ÷ 10 m ≈ {ans}",
        f"A {t.obj} moves at {sig(t.speed)} m/s around a 10 m radius curve. What is its centripetal acceleration?", ans,
        _unique(ans, [f"{sig(t.speed / radius)} m/s²", f"{sig(t.speed ** 2 * radius)} m/s²",
                      f"{sig(radius / t.speed)} m/s²"]),
        ("centripetal", "radius", "speed"))


def _torque(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    lever = 0.8
    torque = lever * t.force
    ans = f"{sig(torque)} N·m"
    return WorkedExample(
        "torque", "Torque", "τ = r F", "torque equals the lever arm times the force",
        f"Say {who} pushes with {sig(t.force)} newtons at the end of a 0.8 meter lever arm, at a right angle.",
        f"Torque equals lever arm times force, so that is about {_spoken(sig(torque))} newton meters.",
        [f"F = {sig(t.force)} N", "r = 0.8 m"], f"τ = 0.8 m × {sig(t.force)} N ≈ {ans}",
        f"A {sig(t.force)} N force acts at right angles 0.8 m from a pivot. What is the torque?", ans,
        _unique(ans, [f"{sig(t.force / lever)} N·m", f"{sig(t.force)} N·m", f"{sig(lever / t.force)} N·m"]),
        ("torque", "lever arm", "force"))


def _mechanical_advantage(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    ramp, height = 4.0, 1.0
    ima = ramp / height
    ans = f"{sig(ima)}"
    return WorkedExample(
        "mechanical_advantage", "Mechanical advantage", "IMA = L / h",
        "an inclined plane's ideal mechanical advantage equals its length divided by its height",
        (f"Say a {t.obj} walks up a 4 meter ramp to a spot 1 meter high instead of climbing straight up."
         if t.obj in PEOPLE else
         f"Say {who} rolls a {t.obj} up a 4 meter ramp to a spot 1 meter high instead of lifting it straight up."),
        "The ideal mechanical advantage is length divided by height, 4 divided by 1, so the push needed is about a "
        "quarter of the lift, over a longer distance.",
        ["L = 4 m (ramp)", "h = 1 m"], f"IMA = 4 m ÷ 1 m = {ans}",
        "A ramp is 4 m long and rises 1 m. What is its ideal mechanical advantage?", ans,
        _unique(ans, ["0.25", "5", "3"]),
        ("mechanical advantage", "force", "distance"))


def _half_life(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    start, halves = 80.0, 3
    left = start / 2 ** halves
    ans = f"{sig(left)} g"
    return WorkedExample(
        "half_life", "Half-life", "N = N₀ × (½)ⁿ", "after each half-life, half of the radioactive nuclei remain",
        f"Say a scientist who loves {interest} tracks a sample holding 80 grams of a radioactive isotope for three "
        "half-lives.",
        f"Each half-life leaves half, so 80 becomes 40, then 20, then {_spoken(sig(left))} grams.",
        ["N₀ = 80 g", "n = 3 half-lives"], f"N = 80 g × (½)³ = {ans}",
        "A sample starts with 80 g of a radioactive isotope. How much is left after three half-lives?", ans,
        _unique(ans, ["40 g", "20 g", "0 g"]),
        ("half-life", "radioactive", "decay"))


def _mendel(t: Things, who: str, place: str, interest: str) -> WorkedExample:
    total = 200
    recessive = total // 4
    ans = f"about {recessive}"
    return WorkedExample(
        "mendel", "A monohybrid cross", "Aa × Aa → 1 AA : 2 Aa : 1 aa",
        "when two heterozygous parents are crossed, about one offspring in four shows the recessive trait",
        f"Say a gardener who loves {interest} crosses two pea plants that each carry one dominant and one recessive "
        f"allele, and grows {total} seeds.",
        f"On average one in four shows the recessive trait, so about {recessive} plants, and about {total - recessive} "
        "show the dominant one.",
        ["Aa × Aa", f"{total} offspring"], f"recessive (aa) ≈ ¼ × {total} = {recessive}",
        f"Two heterozygous (Aa) pea plants are crossed and give {total} offspring. About how many show the recessive "
        "trait?", ans, _unique(ans, [f"about {total // 2}", f"about {3 * total // 4}", "none"]),
        ("dominant", "recessive", "offspring"))


RELATIONSHIPS: list[Relationship] = [
    Relationship("newton2", "forces_motion", r"F_?net=ma|ΣF=ma|a=\(F_net\)/\(m\)", _newton2),
    Relationship("momentum", "forces_motion", r"(?<![A-Za-z])p=mv(?![a-z0-9^])", _momentum),
    Relationship("centripetal", "forces_motion", r"a_c=\(v\^2\)/\(r\)", _centripetal),
    Relationship("torque", "forces_motion", r"τ=rF", _torque),
    Relationship("acceleration", "forces_motion", r"a=\(Δv\)/\(Δt\)", _acceleration),
    Relationship("speed", "forces_motion", r"v_avg=\(distance\)/\(time\)", _speed),
    Relationship("weight", "forces_motion", r"(?<![A-Za-z_])[Ww]=mg(?![a-z0-9])", _weight),
    Relationship("kinetic", "energy_work", r"KE=\(1\)/\(2\)mv\^2", _kinetic),
    Relationship("potential", "energy_work", r"PE(_g)?=mgh", _potential),
    Relationship("power", "energy_work", r"(?<![A-Za-z])P=\(W\)/\(t\)", _power),
    Relationship("work", "energy_work", r"(?<![A-Za-z])W=[fF]d(?![a-z])", _work),
    Relationship("mechanical_advantage", "energy_work", r"IMA=\(F_r\)/\(F_e\)|IMA=\(L\)/\(h\)", _mechanical_advantage),
    Relationship("wave_speed", "waves_sound", r"v(_w)?=fλ", _wave),
    Relationship("light_speed", "light_optics", r"c=λν|c=fλ", _light),
    Relationship("ohm", "electricity_magnetism", r"(?<![A-Za-z])V=IR(?![a-z])", _ohm),
    Relationship("electric_power", "electricity_magnetism", r"(?<![A-Za-z])P=(IV|VI)(?![a-z])", _electric_power),
    Relationship("heat", "heat_thermo", r"Q=mcΔT|q=c×m×ΔT|\(c×m×ΔT\)", _heat),
    Relationship("density", "matter_bonding", r"density=\(mass\)/\(volume\)|ρ=\(m\)/\(V\)", _density),
    Relationship("molarity", "solutions", r"M=\(molsolute\)/\(Lsolution\)", _molarity),
    Relationship("ideal_gas", "gases", r"PV=nRT", _ideal_gas),
    Relationship("boyle", "gases", r"P1V1=P2V2", _boyle),
    Relationship("charles", "gases", r"\(V_?1\)/\(T_?1\)=\(V_?2\)/\(T_?2\)|V_?1/T_?1=V_?2/T_?2", _charles),
    Relationship("ph", "acids_bases", r"pH=−log\[H3O", _ph),
    Relationship("half_life", "atoms_nuclear", r"half-li(fe|ves)", _half_life),
    Relationship("mendel", "genetics", r"3:1|1:2:1", _mendel),
]
_BY_KEY = {r.key: r for r in RELATIONSHIPS}
#: Families whose sections may use a relationship of another family (a gas law in a heat section...).
_ALSO_FITS = {
    "forces_motion": {"energy_work"}, "energy_work": {"forces_motion"}, "heat_thermo": {"gases", "reactions"},
    "gases": {"heat_thermo"}, "light_optics": {"waves_sound", "atoms_nuclear"}, "waves_sound": {"light_optics"},
    "atoms_nuclear": {"light_optics"}, "reactions": {"heat_thermo", "solutions"}, "solutions": {"acids_bases"},
    "acids_bases": {"solutions"}, "measurement": {"matter_bonding", "forces_motion"},
    "matter_bonding": {"measurement"},
}


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def find_relationships(texts: list[str], *, focus: str = "", family: str | None = None) -> list[str]:
    """Keys of the relationships the texts state, the ones nearest `focus` (the question) first.

    A relationship counts when its equation appears in the section and it belongs to the section's
    idea family (or one that shares it: `_ALSO_FITS`); ties keep the catalogue order (the more
    central law of a topic first)."""
    joined = compact(" ".join(texts))
    fits = None if family is None else {family, *_ALSO_FITS.get(family, set())}
    found = [r for r in RELATIONSHIPS if re.search(r.pattern, joined) and (fits is None or r.family in fits)]
    focus_words = set(re.findall(r"[a-z]+", focus.lower()))

    def relevance(rel: Relationship) -> int:
        example = rel.build(DEFAULT_THINGS, "someone", "here", "life")
        return -sum(1 for term in (*example.terms, *example.cues) if set(term.split()) & focus_words)

    return [r.key for r in sorted(found, key=relevance)]


def worked_example(key: str, *, world_slug: str, who: str, place: str, interest: str) -> WorkedExample:
    """The worked example for relationship `key` in the interest's world (numbers computed here)."""
    things = THINGS.get(world_slug, DEFAULT_THINGS)
    return _BY_KEY[key].build(things, who, place, interest)
