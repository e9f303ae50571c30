"""Gemini image model ("Nano Banana", `models/{model}:generateContent`) over REST through
vividly.http, behind the shared "nano_banana" circuit breaker.

The returned image is fitted to 1280×720 and gets the scene's citation footer, so attribution
survives whatever the model draws. Safety-blocked prompts or images raise `SafetyBlocked`
(a ProviderFatal: retrying the same scene will not help, the caller falls back to a local slide).
"""

from __future__ import annotations

import base64
import binascii
import io

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from vividly import http

from . import breakers
from .base import ProviderFatal, RenderedImage, SlideSpec, Usage
from .google_tts import google_auth_headers

WIDTH, HEIGHT = 1280, 720
SAFETY_REASONS = {"SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_PROHIBITED_CONTENT",
                  "RECITATION", "IMAGE_RECITATION"}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


class SafetyBlocked(ProviderFatal):
    """The model refused the prompt or withheld the image for safety reasons."""


def slide_prompt(spec: SlideSpec) -> str:
    """The image prompt for a scene: an illustration for teenagers, with no text but the title."""
    points = "; ".join(spec.bullets)
    parts = [
        "Create a clear, friendly 16:9 educational illustration for a high-school science video.",
        f"Scene title (the only text allowed in the image): \"{spec.title}\".",
        f"What it must show: {spec.visual_description or points}.",
    ]
    if spec.equation:
        parts.append(f"Include the equation {spec.equation} legibly.")
    if spec.interest:
        parts.append(f"Set it in the world of {spec.interest}.")
    parts.append("Flat vector style, high contrast, no people's faces, no logos, no brand names, "
                 "nothing frightening; leave the bottom 10% plain for a caption bar.")
    return " ".join(parts)


def fit_slide(png: bytes, citation: str) -> bytes:
    """Cover-fit an image to 1280×720 and draw the citation footer bar."""
    try:
        with Image.open(io.BytesIO(png)) as source:
            image = source.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise ProviderFatal(f"Nano Banana returned data that is not an image: {exc}") from exc
    scale = max(WIDTH / image.width, HEIGHT / image.height)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    left, top = (image.width - WIDTH) // 2, (image.height - HEIGHT) // 2
    image = image.crop((left, top, left + WIDTH, top + HEIGHT))
    if citation:
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(FONT, 24)
        text = citation
        while len(text) > 1 and font.getlength(text) > WIDTH - 80:  # keep the licence tail visible
            head, sep, tail = text.rpartition(" · ")
            text = f"{head[:-2].rstrip()}…{sep}{tail}" if sep and len(head) > 3 else text[:-2] + "…"
        draw.rectangle((0, HEIGHT - 56, WIDTH, HEIGHT), fill=(10, 14, 24))
        draw.text((40, HEIGHT - 28), text, font=font, fill=(226, 230, 238), anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()


class NanoBananaImage:
    """ImageProvider for the Gemini image model; usage counts images for the cost ledger."""

    name = "nano_banana"

    def __init__(self, *, base_url: str = "", api_key: str = "", access_token: str = "", model: str = "",
                 timeout: float = 0.0) -> None:
        conf = getattr(settings, "NANO_BANANA", {})
        self.base_url = (base_url or conf.get("BASE_URL")
                         or "https://generativelanguage.googleapis.com").rstrip("/")
        self.api_key = api_key or conf.get("API_KEY", "")
        self.access_token = access_token
        self.model = model or conf.get("MODEL", "gemini-2.5-flash-image")
        self.timeout = timeout or conf.get("TIMEOUT", 60.0)

    def _generate(self, prompt: str) -> bytes:
        payload = {"contents": [{"role": "user", "parts": [{"text": prompt}]}],
                   "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9"}},
                   "safetySettings": [{"category": c, "threshold": "BLOCK_LOW_AND_ABOVE"} for c in (
                       "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                       "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT")]}
        response = http.request("POST", f"{self.base_url}/v1beta/models/{self.model}:generateContent",
                                json=payload, timeout=self.timeout,
                                headers=google_auth_headers(api_key=self.api_key, access_token=self.access_token))
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderFatal(f"malformed Nano Banana response: {exc}") from exc
        return extract_image(body)

    def render(self, spec: SlideSpec) -> RenderedImage:
        """A 1280x720 PNG for the scene."""
        data = breakers.call("nano_banana", self._generate, slide_prompt(spec))
        png = fit_slide(data, spec.citation)
        return RenderedImage(png=png, width=WIDTH, height=HEIGHT, usage=Usage(provider=self.name, images=1))


def extract_image(body: object) -> bytes:
    """The first inline image of a generateContent response; SafetyBlocked when withheld."""
    if not isinstance(body, dict):
        raise ProviderFatal("malformed Nano Banana response: not a JSON object")
    feedback = body.get("promptFeedback") or {}
    if isinstance(feedback, dict) and feedback.get("blockReason"):
        raise SafetyBlocked(f"prompt blocked: {feedback['blockReason']}")
    candidates = body.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        raise ProviderFatal("malformed Nano Banana response: no candidates")
    candidate = candidates[0] if isinstance(candidates[0], dict) else {}
    parts = (candidate.get("content") or {}).get("parts") or []
    for part in parts:
        inline = part.get("inlineData") or part.get("inline_data") if isinstance(part, dict) else None
        if inline and str(inline.get("mimeType", inline.get("mime_type", ""))).startswith("image/"):
            try:
                return base64.b64decode(inline["data"], validate=True)
            except (KeyError, TypeError, ValueError, binascii.Error) as exc:
                raise ProviderFatal(f"malformed Nano Banana image data: {exc}") from exc
    reason = candidate.get("finishReason", "")
    if reason in SAFETY_REASONS:
        raise SafetyBlocked(f"image withheld: {reason}")
    raise ProviderFatal(f"Nano Banana returned no image (finishReason={reason or 'none'})")
