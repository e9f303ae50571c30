"""Gemini image model ("Nano Banana", `gemini-*-image`) through `google-genai` (Vertex AI with ADC,
or an explicit API key), behind the shared "nano_banana" circuit breaker.

The returned image is fitted to 1280×720 and gets the scene's citation footer, so attribution
survives whatever the model draws. Safety-blocked prompts or images raise `SafetyBlocked`
(a ProviderFatal: retrying the same scene will not help, the caller falls back to a local slide).
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from . import breakers, google_cloud
from .base import ProviderFatal, RenderedImage, SlideSpec
from .gemini import blocked_reason, safety_settings, usage_from

WIDTH, HEIGHT = 1280, 720
SAFETY_REASONS = {"SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_PROHIBITED_CONTENT",
                  "RECITATION", "IMAGE_RECITATION", "IMAGE_OTHER"}
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
    """ImageProvider for the Gemini image model; usage: one image plus the tokens Google reports."""

    name = "nano_banana"

    def __init__(self, *, model: str = "gemini-2.5-flash-image", project: str = "", location: str = "",
                 api_key: str = "", endpoint: str = "", timeout: float = 60.0) -> None:
        self.model = model
        self.project = project
        self.location = location
        self.api_key = api_key
        self.endpoint = endpoint
        self.timeout = timeout

    def _generate(self, prompt: str) -> tuple[bytes, Any]:
        from google.genai import types  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

        google_cloud.guard(self.name)
        client = google_cloud.genai_client(project=self.project, location=self.location, api_key=self.api_key,
                                           endpoint=self.endpoint, timeout=self.timeout)
        config = types.GenerateContentConfig(response_modalities=["IMAGE"], safety_settings=safety_settings(),
                                             image_config=types.ImageConfig(aspect_ratio="16:9"))
        try:
            response = client.models.generate_content(model=self.model, contents=prompt, config=config)
        except Exception as exc:
            raise google_cloud.map_genai_error(exc, "Nano Banana") from exc
        return extract_image(response), response

    def render(self, spec: SlideSpec) -> RenderedImage:
        """A 1280x720 PNG for the scene."""
        data, response = breakers.call("nano_banana", self._generate, slide_prompt(spec))
        png = fit_slide(data, spec.citation)
        return RenderedImage(png=png, width=WIDTH, height=HEIGHT, usage=usage_from(response, self.name, images=1))


def extract_image(response: Any) -> bytes:
    """The first inline image of a GenerateContentResponse; SafetyBlocked when withheld."""
    reason = blocked_reason(response)
    if reason.startswith("prompt blocked"):
        raise SafetyBlocked(reason)
    if reason == "no candidates":
        raise ProviderFatal("malformed Nano Banana response: no candidates")
    candidate = response.candidates[0]
    for part in getattr(candidate.content, "parts", None) or []:
        inline = getattr(part, "inline_data", None)
        if inline is not None and str(inline.mime_type or "").startswith("image/") and inline.data:
            return inline.data
    finish = str(getattr(candidate.finish_reason, "value", candidate.finish_reason) or "")
    if finish in SAFETY_REASONS:
        raise SafetyBlocked(f"image withheld: {finish}")
    raise ProviderFatal(f"Nano Banana returned no image (finishReason={finish or 'none'})")
